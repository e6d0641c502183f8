"""A simulated FreeBSD host for laggroam: kernel, world, daemons and stand-in programs.

State lives in a directory (``laggroam-sim --dir DIR``) so that separate
processes share one host:

* ``model``        the state as dataclasses, and its JSON form
* ``state``        ``Sim.open(dir)``: lock, load, atomic save; ``SimError``
* ``journal``      devd's wire format and the append-only event journal
* ``kernel``       ifnets, lagg(4) semantics, radios, link state
* ``world``        switch segments, access points, DHCP servers
* ``daemons``      wpa_supplicant and dhclient behaviour
* ``rc``           rc.conf, the rc.d scripts, devd's stock rules
* ``engine``       settling: links, daemons and stock rules to a fixed point
* ``devd``         the simulated devd: journal events through DIR/root/etc/devd.conf to
                   the real hooks and stand-in scripts; ``install_laggroam``
* ``converge``     waiting, with a deadline, for laggroam's detached reconciles to finish
* ``ifconfig_out`` / ``ifconfig_cmd``  the stand-in ifconfig (11.x and 15.x output)
* ``standin``      the programs installed under DIR/bin
* ``laptop``       the seed's laptop, booted as its rc.conf would
* ``site``         DIR/site.ini, the host as ``laggroam --site DIR`` sees it
* ``cli``          ``laggroam-sim --dir DIR VERB``
* ``command``      the ``laggroam-sim`` command: ``demo``, and the verbs of ``cli``
"""
