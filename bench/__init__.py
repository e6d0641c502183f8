"""laggroam's benchmarks: costs measured as ratios against references taken in the same run."""
