"""Checks the operators' work: 20 tracks in order, the square moving one pixel
per frame, and one detector log line per frame; prints SUCCESS (exit 0) or
what is wrong (exit 1)."""

import sys

from dora import Node

node = Node()
tracks, lines = [], []
for event in node:
    if event["type"] == "INPUT" and event["id"] == "track":
        tracks.append(event["value"].to_pylist())
    elif event["type"] == "INPUT" and event["id"] == "log":
        lines.append(event["value"][0].as_py())

problems = []
if [int(t[0]) for t in tracks] != list(range(20)):
    problems.append(f"frames {[int(t[0]) for t in tracks]}")
if [t[1] for t in tracks] != [10.0 + i for i in range(20)]:
    problems.append(f"positions {[t[1] for t in tracks]}")
if any(t[2] != 1.0 for t in tracks[1:]):
    problems.append(f"velocities {[t[2] for t in tracks]}")
if len(lines) != 20 or lines[0] != "frame 0: box at x=10":
    problems.append(f"detector lines {lines[:3]}… ({len(lines)})")
if problems:
    print("FAILURE: " + "; ".join(problems))
    sys.exit(1)
print(f"SUCCESS: {len(tracks)} tracks of a square moving 1 px per frame, {len(lines)} detector lines")
