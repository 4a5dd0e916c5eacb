"""What the device can say about the state of several devices ("Are any lights on?", "Is the bedroom light
on?"): only what it last told each one, since it has no way to hear what they are; a device it has not
changed since it started is said to be unknown, never guessed."""

from __future__ import annotations

from ..integrations.devices import Device

STATES_OF_KIND = {"cover": ("open", "closed"), "light": ("on", "off"), "switch": ("on", "off"), "fan": ("on", "off")}


def said_kind(domain: str, device_class: str = "") -> str:
    """The things asked about, as people call them: "lights", "blinds", "garage doors" (never "covers")."""
    if device_class:
        return "garage doors" if device_class == "garage" else f"{device_class}s"
    return {"light": "lights", "switch": "switches", "fan": "fans"}.get(domain, "blinds and doors")


def listed(names: list[str]) -> str:
    """ "the porch light", "the porch light and the fan", "the porch light, the fan and the TV"."""
    said = [f"the {name}" for name in names]
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"


def _be(names: list[str]) -> str:
    return "are" if len(names) > 1 or names[0].endswith("s") else "is"


def _pronoun(names: list[str]) -> str:
    return "them" if len(names) > 1 or names[0].endswith("s") else "it"


def one_state(device: Device, told: dict[str, str], asked: str = "") -> str:
    """The state of one device, as last told (`asked`: the state asked about, "on" or "open" when none was)."""
    state = told.get(device.name)
    names = [device.name]
    if state is None:
        asked = asked or STATES_OF_KIND[device.kind][0]
        return (f"I don't know whether the {device.name} {_be(names)} {asked}: "
                f"I haven't changed {_pronoun(names)} since I started.")
    return f"The {device.name} should be {state}: that is what I last told {_pronoun(names)}."


def states_answer(devices: list[Device], told: dict[str, str], asked: str, what: str) -> str:
    """Which of `devices` are in the state `asked` ("on", "closed"), from what each was last told: those that
    should be, those that should not, and those not known. `what` names them when there are none ("lights in
    the kitchen")."""
    if not devices:
        return f"I don't know of any {what}."
    if len(devices) == 1:
        return one_state(devices[0], told, asked)
    unknown = [d.name for d in devices if d.name not in told]
    known = [d for d in devices if d.name in told]
    said: list[str] = []
    for state in dict.fromkeys([asked, *(told[d.name] for d in known)]):
        names = [d.name for d in known if told[d.name] == state]
        if names:
            sentence = f"{listed(names)} should be {state}" if said else \
                f"{listed(names)} should be {state}: that is what I last told {_pronoun(names)}"
            said.append(sentence[0].upper() + sentence[1:] + ".")
    if not said:
        return f"I don't know whether any of the {what} are {asked}: I haven't changed them since I started."
    if unknown:
        said.append(f"I haven't changed {listed(unknown)} since I started.")
    return " ".join(said)
