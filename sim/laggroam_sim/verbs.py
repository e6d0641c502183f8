"""The simulator's verbs, as ``laggroam-sim help`` lists them.

Kept apart from ``laggroam_sim.cli`` so that the command's argument parser
can show them without loading the simulator.
"""

USAGE = """usage: laggroam-sim demo [--dir DIR] [--step] [--json]
                                                    the roaming story, told on a simulated
                                                    laptop (DIR keeps the host afterwards)
       laggroam-sim --dir DIR VERB [ARGS]           drive the simulated host kept in DIR
                                                    (laggroam --site DIR acts on it)
  init laptop [--release 7|11|12|13|14|15] [--radio iwn|iwm|iwlwifi|iwlwifi-pm|rtwn|ndis]
              [--detach-on-suspend] [--no-ctrl-interface] [--late RADIO] [--fixed-mac RADIO]
              [--rc VAR=VALUE] [--dual-stack]
                                                    build and boot the laptop of laggroam(8)
  plug IF [SEGMENT] | unplug IF                     the cable of a wired port
  ap NAME on|off | roam NAME                        access points in range
  suspend | resume                                  ACPI sleep (radios may re-attach)
  detach RADIO | attach RADIO | late-attach RADIO   radio driver life cycle, boot race
  usb-ethernet IF [unplug]                          plug or unplug a USB Ethernet dongle
  wpa hang|kill|start IF                            wpa_supplicant failures
  devd [start|stop|inject LINE]                     the simulated devd: start it, stop it
                                                    (events wait), feed it a line; alone:
                                                    deliver pending events, say what it did
  install-laggroam [POLICY]                         install laggroam as a package would (and
                                                    POLICY as its policy), restart devd
  daemon start|stop|status                          laggroam's daemon, as "service laggroam
                                                    onestart" starts it
  advance SECONDS                                   move the simulated clock
  show | events [AFTER]                             the host; the devd journal"""
