"""Fixed vocabularies the synthetic results draw from.

They are small on purpose: with a handful of celebrities and labels, the same identity shows up in
many videos, which is what cross-video indexes (appearances by celebrity, videos by label) need to be
exercised. The celebrities are fictional; ids follow the real 8-character alphanumeric form.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Celebrity:
    id: str
    name: str
    gender: str
    urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabelInfo:
    name: str
    parents: tuple[str, ...]
    categories: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    has_instances: bool = True


CELEBRITIES: tuple[Celebrity, ...] = (
    Celebrity("1Ax3Nr0o", "Avery Lindqvist", "Female", ("www.example.com/celebrities/avery-lindqvist",)),
    Celebrity("2Bq7Lm4t", "Marcus Okonkwo", "Male", ("www.example.com/celebrities/marcus-okonkwo",)),
    Celebrity("3Cz1Pd8w", "Sofia Marchetti", "Female", ()),
    Celebrity("4Dk5Hs2y", "Jun Takahara", "Male", ("www.example.com/celebrities/jun-takahara",)),
    Celebrity("5Ef9Vb6u", "River Castellanos", "Nonbinary", ()),
    Celebrity("6Fg2Wn3r", "Priya Raman", "Female", ("www.example.com/celebrities/priya-raman",)),
    Celebrity("7Gh8Xc1e", "Tomasz Wierzbicki", "Male", ()),
    Celebrity("8Hj4Yz7q", "Lena Hoffmann", "Female", ("www.example.com/celebrities/lena-hoffmann",)),
)

LABELS: tuple[LabelInfo, ...] = (
    LabelInfo("Person", (), ("Person Description",), ("Human",)),
    LabelInfo("Car", ("Vehicle", "Transportation"), ("Vehicles and Automotive",), ("Automobile",)),
    LabelInfo("Dog", ("Animal", "Canine", "Mammal", "Pet"), ("Animals and Pets",)),
    LabelInfo("Tree", ("Plant",), ("Nature and Outdoors",)),
    LabelInfo("Building", ("Architecture",), ("Buildings and Architecture",)),
    LabelInfo("Road", (), ("Travel and Adventure",), (), has_instances=False),
    LabelInfo("Sky", (), ("Nature and Outdoors",), (), has_instances=False),
    # The category the developer guide's GetLabelDetection example gives it (tests/data/aws_examples).
    LabelInfo("Bicycle", ("Vehicle", "Transportation"), ("Hobbies and Interests",), ("Bike",)),
    LabelInfo("Chair", ("Furniture",), ("Furniture and Furnishings",)),
    LabelInfo("Cup", (), ("Kitchen and Dining",), ("Mug",)),
)
