"""A short espeak-ng meeting that says four made-up names, for vocabulary tests: tiny.en
without help turns them into near-homophones ("Norman", "Quill Attack", "Rungast",
"Melmore"); told the names as hot words, it spells most of them right.

    python names_meeting.py OUT.wav

Importable: `TERMS`, `names_meeting() -> float32 16 kHz audio`.
"""

import sys

import numpy as np

from synth_meeting import SAMPLE_RATE, _speak, write_wav

TERMS = ["Zorvane", "Quillatek", "Brannigast", "Velmora"]
SENTENCES = [
    "Good morning, this is Zorvane from the platform team.",
    "The Quillatek integration is ready for review.",
    "Brannigast will present the budget on Friday.",
    "We moved the Velmora launch to next month.",
    "Zorvane and Brannigast agreed on the Quillatek contract.",
    "Please send the Velmora numbers to Zorvane.",
]
VOICES = [("en-us+m3", 40, 160), ("en-gb+f2", 60, 165), ("en+m7", 30, 150)]


def names_meeting() -> np.ndarray:
    pieces = []
    for i, sentence in enumerate(SENTENCES):
        voice, pitch, speed = VOICES[i % len(VOICES)]
        pieces += [_speak(sentence, voice, pitch, speed) * 0.6, np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]
    return np.concatenate(pieces)


if __name__ == "__main__":
    write_wav(sys.argv[1], names_meeting())
