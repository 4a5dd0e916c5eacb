"""Echo cancellation benchmark: self-interruptions, ERLE, barge-in over the echo, double-talk WER, CPU.

    .venv/bin/python -m scripts.bench.echo                      # the full run (about 10 minutes on 2 cores)
    .venv/bin/python -m scripts.bench.echo --quick              # 3 answers per level, ours and none only
    .venv/bin/python -m scripts.bench.echo --engines aec3,livekit,speex,none

Every take is simulated (firmware_py/audio/processing/room.py) and run faster than real time through the
canceller, Silero VAD with the listener's settings and Moonshine STT. Room conditions are drawn per take
(delay 20-200 ms, RT60 0.2-0.6 s, distortion, drift, noise) from a seed; `--held-out` draws another set.
The bot pauses at the first possible speech over it as the listener makes it (firmware_py/onset_pause.py,
`--pause-after 0` for the VAD start alone): a start while paused stops it there, quiet lets it go on (a
false pause, counted per minute of bot speech). Raw results go to bench-results/echo-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.audio.processing.room import RoomConditions
from firmware_py.config import ConversationSettings, TurnSettings, VadSettings
from firmware_py.listening import PRE_ROLL_SECS, SEGMENT_TAIL_SECS
from firmware_py.models import models_dir
from firmware_py.speech.stt import MoonshineStt
from firmware_py.speech.vad import SileroVad
from scripts.bench.echo_takes import TakeResult, VadRunner, erle_db, run_take, speech_onset
from tests.speechgen import speech, word_error_rate

ANSWERS = [
    "The lighthouse keeper climbed the stairs every evening to light the great lamp. Ships far out at sea saw "
    "it and knew where the rocks were hidden. In winter the storms were strong, and the keeper polished the glass "
    "twice a night so that the light would stay bright.",
    "To make bread at home, mix flour, water, salt and a little yeast. Knead the dough for ten minutes until it "
    "feels smooth, then let it rise in a warm place for about an hour. Shape the loaf, let it rise again, and bake "
    "it in a hot oven until the crust is golden.",
    "Tomorrow will start cloudy with a light breeze from the west. By the afternoon the sun should come out and "
    "the temperature will reach about eighteen degrees. In the evening there may be a short shower, so take an "
    "umbrella if you are going out late.",
    "Your calendar for today has three meetings. The first one is at nine with the design team, the second at "
    "eleven thirty with the supplier, and the last one at four in the afternoon. You also asked me to remind you "
    "to call your sister before dinner.",
    "The moon has no light of its own. It reflects the light of the sun, and as it travels around the earth we "
    "see a different part of its bright side each night. That is why it seems to grow from a thin crescent to a "
    "full circle and back again every month.",
    "I have set the living room lights to warm white at sixty percent, turned off the lights in the kitchen, and "
    "lowered the thermostat to nineteen degrees for the night. The front door is locked and the garage door is "
    "closed. Good night, and sleep well.",
    "Here is a simple stretching routine. Stand tall and reach your arms above your head for ten seconds. Then "
    "bend forward slowly and let your arms hang down. Roll your shoulders back five times, and finish by turning "
    "your head gently from side to side.",
    "The train to the city leaves every twenty minutes during the day. The next one departs at ten past three "
    "from platform two and arrives at the central station about forty minutes later. On weekends the trains run "
    "every half hour instead.",
    "Bees visit flowers to collect nectar and pollen. While they move from one flower to the next, they carry "
    "pollen with them, which helps the plants make seeds and fruit. Without bees, many of the foods we enjoy "
    "would be much harder to grow.",
    "Your timer for the pasta is set for eleven minutes. While you wait, you can prepare the sauce: warm some olive "
    "oil in a pan, add garlic and chopped tomatoes, and let it simmer gently. Add a pinch of salt and some fresh "
    "basil at the end.",
]
INTERRUPTIONS = ["Stop, what time is it?", "Wait, turn off the kitchen lights.", "Hold on, set a timer for five minutes.",
                 "Sorry, can you repeat that?", "Stop, play some music please."]
DOUBLE_TALK = ["I would like to know the weather in Paris tomorrow morning.",
               "Please add milk, eggs and bread to my shopping list.",
               "Can you tell me how long it takes to drive to the airport?"]
ECHO_LEVELS_DB = [-15.0, -6.0, 0.0, 6.0, 10.0]


def draw_conditions(rng: random.Random, echo_db: float, seed: int) -> RoomConditions:
    return RoomConditions(delay_ms=rng.uniform(20, 200), rt60_secs=rng.uniform(0.2, 0.6), echo_db=echo_db,
                          noise_db=rng.uniform(-40, -25), distortion=rng.uniform(0.0, 0.4),
                          drift_ms_per_min=rng.uniform(-10, 10), seed=seed)


def quantiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None, "n": 0}
    return {"median": round(float(np.median(values)), 3), "p95": round(float(np.percentile(values, 95)), 3),
            "n": len(values)}


class Bench:
    def __init__(self, answers: int, seed: int) -> None:
        self.vad = VadRunner(SileroVad(models_dir() / "vad" / "silero_vad.onnx"))
        self.stt = MoonshineStt(models_dir() / "stt")
        self.answers = [speech(text)[0] for text in ANSWERS[:answers]]
        self.seed = seed
        self.pause_after: float | None = ConversationSettings().barge_in_pause_secs or None

    def transcribe_turn(self, heard: np.ndarray, take: TakeResult) -> str:
        """The barge-in's turn as the listener takes it: from its start (the sound that paused the bot, or the
        VAD's start) with the pre-roll, through pauses shorter than `turn.sentence_silence_secs` (the comma in
        "Hold on, set a timer"), to the first longer silence: Smart Turn is not run here."""
        if take.turn_from is None:
            return ""
        gap = TurnSettings().sentence_silence_secs
        starts = [s / SAMPLE_RATE for s in take.starts_at_sample]
        end = next((stop for stop in take.vad_stops if stop > take.turn_from / SAMPLE_RATE
                    and not any(stop < start < stop + gap for start in starts)), len(heard) / SAMPLE_RATE)
        lo = max(0, int(take.turn_from - PRE_ROLL_SECS * SAMPLE_RATE))
        return self.stt.transcribe(heard[lo:int((end + SEGMENT_TAIL_SECS) * SAMPLE_RATE)])

    def self_interruptions(self, engine: str, echo_db: float, held_out: bool) -> dict[str, object]:
        rng = random.Random(f"{self.seed}-{held_out}-{echo_db}")
        starts, bot_secs, erles, cpu, gaps = 0, 0.0, [], [], []
        for index, far in enumerate(self.answers):
            conditions = draw_conditions(rng, echo_db, seed=index + (100 if held_out else 0))
            take = run_take(far, np.zeros(0, np.int16), conditions, engine, self.vad, pause_after_secs=self.pause_after)
            starts += len(take.vad_starts)
            gaps += [resumed - paused for paused, resumed in take.pauses]
            bot_secs += len(far) / SAMPLE_RATE
            active = np.pad(np.abs(far) > 300, (0, len(take.mic) - len(far)))
            erles.append(erle_db(take.mic, take.processed, active))
            cpu.append(take.cpu_secs / (len(take.mic) / SAMPLE_RATE))
        return {"self_interruptions": starts, "per_minute": round(starts / (bot_secs / 60), 3),
                "false_pauses": len(gaps), "false_pauses_per_minute": round(len(gaps) / (bot_secs / 60), 3),
                "false_pause_secs": quantiles(gaps),
                "bot_minutes": round(bot_secs / 60, 2), "erle_db": quantiles(erles), "cpu_share": quantiles(cpu)}

    def barge_in(self, engine: str, echo_db: float, held_out: bool) -> dict[str, object]:
        rng = random.Random(f"barge-{self.seed}-{held_out}-{echo_db}")
        reactions, wers, missed = [], [], 0
        for index, far in enumerate(self.answers):
            text = INTERRUPTIONS[index % len(INTERRUPTIONS)]
            said = speech(text, voice="espeak")[0]
            at = rng.uniform(3.0, 8.0)
            far = far[: int((at + 4.0) * SAMPLE_RATE)]   # the rest of the answer is never played
            user = np.concatenate([np.zeros(int(at * SAMPLE_RATE), np.int16), said])
            onset = at + speech_onset(said)
            conditions = draw_conditions(rng, echo_db, seed=index + (100 if held_out else 0))
            take = run_take(far, user, conditions, engine, self.vad, stop_bot_on_speech_after=onset - 0.3,
                            pause_after_secs=self.pause_after)
            if take.stopped_at is None:
                missed += 1
                continue
            reactions.append(take.stopped_at - onset)   # the VAD's start, or the pause it confirmed
            heard = self.transcribe_turn(take.recognition, take)
            wers.append(word_error_rate(text, heard))
        return {"reaction_secs": quantiles(reactions), "wer": quantiles(wers), "missed": missed}

    def double_talk(self, engine: str, echo_db: float) -> dict[str, object]:
        rng = random.Random(f"dt-{self.seed}-{echo_db}")
        wers = []
        for index, text in enumerate(DOUBLE_TALK):
            said = speech(text, voice="espeak")[0]
            far = self.answers[index % len(self.answers)]
            at = rng.uniform(3.0, 6.0)
            user = np.concatenate([np.zeros(int(at * SAMPLE_RATE), np.int16), said])
            take = run_take(far, user, draw_conditions(rng, echo_db, seed=index), engine, self.vad)
            lo, hi = int((at - 0.2) * SAMPLE_RATE), int((at + len(said) / SAMPLE_RATE + 0.2) * SAMPLE_RATE)
            wers.append(word_error_rate(text, self.stt.transcribe(take.recognition[lo:hi])))
        return {"wer": quantiles(wers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="aec3,aec3-no-guard,livekit,speex,none")
    parser.add_argument("--answers", type=int, default=10)
    parser.add_argument("--levels", default=",".join(f"{level:g}" for level in ECHO_LEVELS_DB),
                        help="echo levels (dB relative to the user)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--held-out", action="store_true", help="draw the held-out room conditions")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--vad-start", type=float, default=VadSettings().start_secs,
                        help="speech the VAD needs before a start (the listener's default; shorter reacts sooner)")
    parser.add_argument("--pause-after", type=float, default=ConversationSettings().barge_in_pause_secs,
                        help="possible speech over the bot after which it pauses (the product's default; 0: never)")
    parser.add_argument("--out", default="bench-results")
    args = parser.parse_args()
    engines = ["aec3", "none"] if args.quick else args.engines.split(",")
    bench = Bench(3 if args.quick else args.answers, args.seed)
    bench.vad.settings = VadSettings(start_secs=args.vad_start)
    bench.pause_after = args.pause_after or None
    bench.stt.warm_up(bench.answers[0][: 3 * SAMPLE_RATE])
    results: dict[str, object] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "args": vars(args),
                                  "loadavg_before": os.getloadavg(), "held_out": args.held_out, "engines": {}}
    for engine in engines:
        per_level = {}
        for echo_db in [float(level) for level in args.levels.split(",")]:
            row = {"self": bench.self_interruptions(engine, echo_db, args.held_out),
                   "barge_in": bench.barge_in(engine, echo_db, args.held_out),
                   "double_talk": bench.double_talk(engine, echo_db)}
            per_level[f"{echo_db:+.0f}dB"] = row
            print(engine, f"{echo_db:+.0f} dB", json.dumps(row), flush=True)
        results["engines"][engine] = per_level  # type: ignore[index]
    results["loadavg_after"] = os.getloadavg()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    path = out / f"echo-{time.strftime('%Y%m%d-%H%M%S')}-{'-'.join(engines)}{'-heldout' if args.held_out else ''}.json"
    path.write_text(json.dumps(results, indent=1, default=lambda o: asdict(o)))
    print("saved", path)


if __name__ == "__main__":
    main()
