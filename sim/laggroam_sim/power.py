"""ACPI suspend and resume of the simulated laptop, radio by radio.

The ACPI notifications are devd's ``!system=ACPI subsystem=Suspend|Resume``
(sys/dev/acpica/acpi.c ``acpi_UserNotify``; type is the root object's path,
inferred).  While suspended every link is down.  What happens to a radio is
its driver's ``resume`` (laggroam_sim.radios, which cites each driver):

* ``in-place``: the vaps are suspended and resumed where they are; wlan0
  stays (and stays a lagg port), loses its association while asleep and
  wpa_supplicant associates again after the resume;
* ``re-enumerate`` (USB): the device detaches when the bus suspends and
  attaches when it resumes; so does a USB Ethernet dongle;
* ``rc-detach``: rc.suspend detaches it before the sleep, rc.resume attaches
  it after;
* ``dead``: like in-place, but the radio stays silent after the resume until
  it is detached and attached again.
"""

from laggroam_sim import engine, journal, kernel
from laggroam_sim.state import Sim

USB_LOCATION = "bus=0 hubaddr=1 port=2 devaddr=3 interface=0 ugen=ugen0.3"
USB_PNP = "vendor=0x0b95 product=0x178a devclass=0xff devsubclass=0xff mode=host"


def suspend(sim: Sim) -> None:
    """Going to sleep: devd hears Suspend, detaching radios detach, then drivers stop."""
    sim.emit(journal.notify("ACPI", "Suspend", "\\", "notify=0x03"))
    for radio in list(sim.state.radios.values()):
        if radio.attached and radio.resume in ("re-enumerate", "rc-detach"):
            kernel.detach_radio(sim, radio.name)
            radio.attached = False
            sim.note(f"{radio.name} detached for the sleep ({radio.resume})")
    for dev in sim.state.usb.values():
        if dev.attached:
            # usb_bus_suspend: every USB device is disconnected
            # (sys/dev/usb/controller/usb_controller.c)
            usb_unplug(sim, dev.driver)
            dev.resume_attach = True
    sim.state.suspended = True
    sim.note("suspended (S3)")


def resume(sim: Sim) -> None:
    """Waking up: devd hears Resume; devices detached for the sleep attach again."""
    sim.state.suspended = False
    sim.emit(journal.notify("ACPI", "Resume", "\\", "notify=0x03"))
    sim.note("resumed")
    for radio in list(sim.state.radios.values()):
        if radio.resume == "dead" and radio.attached:
            radio.silent = True
            sim.note(f"{radio.name} resumed without its firmware state: silent")
    engine.settle(sim)
    for radio in list(sim.state.radios.values()):
        if not radio.attached and radio.resume in ("re-enumerate", "rc-detach"):
            kernel.attach_radio(sim, radio.name)
            engine.settle(sim)
    for dev in sim.state.usb.values():
        if dev.resume_attach:
            dev.resume_attach = False
            usb_plug(sim, dev.driver)


def usb_plug(sim: Sim, driver: str) -> None:
    """A USB Ethernet dongle attaches: ``+axge0 ...``, then its ifnet (ue0)."""
    dev = sim.state.usb[driver]
    dev.attached = True
    sim.emit(journal.attach(dev.driver, USB_LOCATION, USB_PNP, dev.bus))
    iface = kernel.attach_ether(sim, dev.ifname, dev.mac, device=dev.driver)
    iface.cable = "home"


def usb_unplug(sim: Sim, driver: str) -> None:
    """A USB Ethernet dongle goes: its ifnet departs, then ``-axge0 ...``."""
    dev = sim.state.usb[driver]
    kernel.destroy(sim, dev.ifname)
    dev.attached = False
    sim.emit(journal.detach(dev.driver, USB_LOCATION, USB_PNP, dev.bus))
