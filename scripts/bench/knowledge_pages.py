"""A hundred printed pages of venue documentation, made deterministically, for index build and query timing.

Each page is a Markdown document of about 3,000 characters (a printed page): a title, five sections and
paragraphs with the same vocabulary as real visitor documents (hours, prices, floors, rooms), about places
with their own names, so they compete with the real documents for every query without contradicting them.
"""

from __future__ import annotations

import random
from pathlib import Path

THEMES = ("Glass", "Railway", "Textile", "Clock", "Maritime", "Print", "Radio", "Pottery", "Bridge", "Weather")
ROOMS = ("reading room", "workshop", "studio", "archive", "viewing deck", "lecture room", "garden", "gallery")
FLOORS = ("ground", "first", "second", "third", "lower ground")
PLACES = ("the east stairs", "the north lift", "the courtyard", "the library", "the west wing", "the main hall")
SENTENCES = (
    "The {room} of the {theme} wing is on the {floor} floor, next to {place}.",
    "It opens at {hour} am and closes at {late} pm from {day1} to {day2}.",
    "Entry to the {room} costs ${price} for adults and ${half} for students.",
    "Groups of more than {group} people should book at least {days} days ahead.",
    "Volunteers give a {minutes}-minute talk about the {theme} collection at {hour}:30 am.",
    "Visitors may borrow a {theme} handbook from the desk for a deposit of ${price}.",
    "The {room} holds up to {group} people and is step-free from {place}.",
    "Photography is allowed in the {room} but not in the {theme} vault.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _paragraph(rng: random.Random, theme: str) -> str:
    values = {"theme": theme, "room": rng.choice(ROOMS), "floor": rng.choice(FLOORS), "place": rng.choice(PLACES),
              "hour": rng.randint(8, 11), "late": rng.randint(4, 9), "price": rng.randint(3, 30),
              "half": rng.randint(1, 3), "group": rng.randint(8, 60), "days": rng.randint(2, 14),
              "minutes": rng.choice((15, 20, 30, 45)), "day1": rng.choice(DAYS[:3]), "day2": rng.choice(DAYS[4:])}
    return " ".join(template.format(**values) for template in rng.sample(SENTENCES, 4))


def make_pages(folder: Path, count: int = 100, seed: int = 17) -> list[Path]:
    """Write `count` pages into `folder`; returns their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        theme = THEMES[number % len(THEMES)]
        lines = [f"# {theme} wing, guide page {number}", ""]
        for section in rng.sample(ROOMS, 5):
            lines += [f"## The {section}", "", _paragraph(rng, theme), "", _paragraph(rng, theme), ""]
        path = folder / f"page-{number:03d}.md"
        path.write_text("\n".join(lines))
        paths.append(path)
    return paths
