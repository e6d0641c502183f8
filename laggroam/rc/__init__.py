"""rc.conf as data: its pitfalls with FILE:LINE, and a policy and sysrc advice made from it."""
