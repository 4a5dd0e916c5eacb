"""The microphone's processing stage: echo cancellation against what the bot played, noise suppression.

    source = echo_cancelled(source, sink)   # the sink now reports its playback; the source cancels it

Everything here works on the one internal format (16 kHz mono int16); sinks report their own rate.
"""

from __future__ import annotations

from ..io import AudioSink, AudioSource, QueueSource
from .base import AudioProcessor, ProcessingChain
from .echo import EchoCanceller, EchoOptions
from .reference import PlaybackReference
from .source import ProcessedSource

__all__ = ["AudioProcessor", "EchoCanceller", "EchoOptions", "PlaybackReference", "ProcessedSource",
           "ProcessingChain", "echo_cancelled"]


def echo_cancelled(source: AudioSource | None, sink: AudioSink, options: EchoOptions | None = None) -> ProcessedSource:
    """`source` (a new `QueueSource` when None) with the echo of everything `sink` plays removed."""
    reference = PlaybackReference()
    sink.tap = reference
    canceller = EchoCanceller(reference, options)
    return ProcessedSource(source if source is not None else QueueSource(), ProcessingChain([canceller]))
