"""The radio drivers the simulated laptop can carry, and what suspend/resume does to each.

Whether wlan0 survives a suspend is a property of the driver, read from its
source, never assumed:

* ``iwn``: ``iwn_suspend`` calls ``ieee80211_suspend_all``, ``iwn_resume``
  ``ieee80211_resume_all`` (freebsd-src sys/dev/iwn/if_iwn.c): the vaps are
  stopped and restarted in place; wlan0 loses its association (LINK_DOWN) and
  keeps its place in lagg0.
* ``iwm``: ``iwm_resume`` runs ``iwm_init_task`` and ``ieee80211_resume_all``
  (sys/dev/iwm/if_iwm.c): in place, as iwn.
* ``iwlwifi`` (LinuxKPI): sys/modules/iwlwifi/Makefile builds the module with
  ``-DCONFIG_PM=1`` and ``-DCONFIG_PM_SLEEP=1`` commented out, so the Linux
  driver's suspend/resume callbacks are not compiled in and LinuxKPI has none
  to call: the vap stays but the radio comes back without its firmware state
  and stays silent until the driver is re-attached ("dead"; inferred from the
  Makefile, the runtime effect was not read).  A tree that enables them would
  resume in place through mac80211: ``iwlwifi-pm`` models that case (not
  verified in the source read).
* ``rtwn`` on USB: ``rtwn_usb_suspend``/``rtwn_usb_resume`` exist
  (sys/dev/rtwn/usb/rtwn_usb_attach.c), but the USB stack suspends "like full
  shutdown and all connected USB devices will be disconnected subsequently.
  At resume all USB devices will be re-connected again"
  (sys/dev/usb/controller/usb_controller.c ``usb_bus_suspend``): rtwn0
  detaches (wlan0 destroyed, it leaves lagg0) and attaches again on resume.
* ``ndis`` (FreeBSD 7): ``ndis_resume`` re-inits the interface
  (sys/dev/if_ndis/if_ndis.c); ndis0 is itself the 802.11 ifnet, no vap.
* any driver with ``detach_on_suspend``: the workaround libexec/rc/rc.resume
  itself suggests ("If a device driver has problems resuming, try unloading
  it before suspend and reloading it on resume"), done with ``kldunload`` /
  ``devctl detach`` in rc.suspend and the reverse in rc.resume: the radio
  detaches before the sleep and attaches after it.
"""

from dataclasses import dataclass

from laggroam_sim.model import Radio

PCI_LOCATION = "slot=0 function=0 dbsf=pci0:2:0:0"
USB_LOCATION = "bus=0 hubaddr=1 port=1 devaddr=2 interface=0 ugen=ugen0.2"


@dataclass(frozen=True, slots=True)
class Driver:
    """One modelled radio driver: its device name prefix, bus and resume behaviour."""

    name: str
    device: str
    resume: str
    bus: str
    location: str
    pnpinfo: str
    source: str


DRIVERS: dict[str, Driver] = {
    d.name: d
    for d in (
        Driver("iwn", "iwn", "in-place", "pci2", PCI_LOCATION,
               "vendor=0x8086 device=0x4238 subvendor=0x8086 subdevice=0x1111 class=0x028000",
               "sys/dev/iwn/if_iwn.c iwn_suspend/iwn_resume"),
        Driver("iwm", "iwm", "in-place", "pci2", PCI_LOCATION,
               "vendor=0x8086 device=0x24f3 subvendor=0x8086 subdevice=0x0130 class=0x028000",
               "sys/dev/iwm/if_iwm.c iwm_resume"),
        Driver("iwlwifi", "iwlwifi", "dead", "pci2", PCI_LOCATION,
               "vendor=0x8086 device=0x2723 subvendor=0x8086 subdevice=0x0084 class=0x028000",
               "sys/modules/iwlwifi/Makefile (CONFIG_PM_SLEEP not defined)"),
        Driver("iwlwifi-pm", "iwlwifi", "in-place", "pci2", PCI_LOCATION,
               "vendor=0x8086 device=0x2723 subvendor=0x8086 subdevice=0x0084 class=0x028000",
               "not verified: a tree building iwlwifi with CONFIG_PM_SLEEP"),
        Driver("rtwn", "rtwn", "re-enumerate", "uhub0", USB_LOCATION,
               "vendor=0x0bda product=0x8179 devclass=0x00 devsubclass=0x00 devproto=0x00"
               " release=0x0000 mode=host intclass=0xff intsubclass=0xff intprotocol=0xff",
               "sys/dev/usb/controller/usb_controller.c usb_bus_suspend/usb_bus_resume"),
        Driver("ndis", "ndis", "in-place", "pci2", PCI_LOCATION,
               "vendor=0x14e4 device=0x4312 subvendor=0x103c subdevice=0x1371 class=0x028000",
               "sys/dev/if_ndis/if_ndis.c ndis_resume"),
    )
}  # fmt: skip


def make_radio(driver: str, mac: str, *, detach_on_suspend: bool = False) -> Radio:
    """The newbus device of ``driver`` (unit 0) as the laptop carries it."""
    spec = DRIVERS[driver]
    return Radio(
        name=f"{spec.device}0",
        mac=mac,
        bus=spec.bus,
        location=spec.location,
        pnpinfo=spec.pnpinfo,
        resume="rc-detach" if detach_on_suspend else spec.resume,
        own_ifnet=spec.device == "ndis",
    )
