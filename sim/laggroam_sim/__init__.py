"""A simulated FreeBSD host for laggroam: kernel, world, daemons and stand-in programs.

State lives in a directory (``laggroam-sim --dir DIR``) so that separate
processes share one host:

* ``model``        the state as dataclasses, and its JSON form
* ``state``        ``Sim.open(dir)``: lock, load, atomic save; ``SimError``
* ``journal``      devd's wire format and the append-only event journal
* ``kernel``       ifnets, lagg(4) semantics, radios, link state (``laggports``: which
                   port of a lagg carries traffic)
* ``world``        switch segments, access points, DHCP servers
* ``daemons``      wpa_supplicant and dhclient behaviour
* ``netsubr``      rc.conf's words for an interface (network.subr)
* ``rcsubr``       rc.subr's run_rc_command
* ``rcd``          rc.d/dhclient and rc.d/wpa_supplicant
* ``netif``        rc.d/netif, ifconfig_up and the boot's netif run
* ``rc``           service(8), /etc/pccard_ether, /etc/rc.resume and rc.suspend
* ``engine``       settling: links, daemons and devd's rules to a fixed point
* ``devd``         the one simulated devd: journal events through DIR/root/etc/devd.conf
                   (``devdrules``: the stock configuration) to the stand-ins and the real
                   hooks (``devdactions``), under the host's lock when it may
                   (``devdinline``), recorded in ``devdlog``; ``install_laggroam``
* ``settled``      the one test of "has the host settled?"
* ``converge``     waiting, with a deadline, until it has
* ``ifconfig_out`` / ``ifconfig_cmd``  the stand-in ifconfig (11.x and 15.x output;
                   ``ifconfigrun``: one run's result; ``ipv6cmds``: its inet6 words, rtsol, ndp;
                   ``ipv6rc``: what rc does for IPv6 at boot)
* ``binscripts``   the stand-in scripts under DIR/bin and the host's laggroam command
* ``standinmain``  a stand-in script's entry; ``standin``: one run under the host's lock,
                   settled; ``userland``: what each program does on the open host
* ``laptop``       the seed's laptop, booted as its rc.conf would
* ``story``        the laptop with laggroam installed, the daemon, one step (the demo and the
                   scenarios drive it); ``expect``: what a step expects of the host
* ``demo``         the roaming story that ``laggroam-sim demo`` tells
* ``site``         DIR/site.ini, the host as ``laggroam --site DIR`` sees it
* ``cli``          ``laggroam-sim --dir DIR VERB``
* ``command``      the ``laggroam-sim`` command: ``demo``, and the verbs of ``cli``
"""
