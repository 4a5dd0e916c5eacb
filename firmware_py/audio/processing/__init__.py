"""The microphone's processing stage: echo cancellation against what the bot played, noise suppression.

    source = echo_cancelled(source, sink)   # the sink now reports its playback; the source cancels it

Everything here works on the one internal format (16 kHz mono int16); sinks report their own rate.
"""

from __future__ import annotations

from ..io import AudioSink, AudioSource, QueueSource
from .base import AudioProcessor, ProcessingChain
from .cleanup import SpeechCleanup
from .echo import EchoCanceller, EchoOptions
from .reference import PlaybackReference
from .source import ProcessedSource

__all__ = ["AudioProcessor", "EchoCanceller", "EchoOptions", "PlaybackReference", "ProcessedSource",
           "ProcessingChain", "SpeechCleanup", "echo_cancelled", "processed_source"]


def echo_cancelled(source: AudioSource | None, sink: AudioSink, options: EchoOptions | None = None) -> ProcessedSource:
    """`source` (a new `QueueSource` when None) with the echo of everything `sink` plays removed."""
    reference = PlaybackReference()
    sink.tap = reference
    canceller = EchoCanceller(reference, options)
    return ProcessedSource(source if source is not None else QueueSource(), ProcessingChain([canceller]))


def processed_source(source: AudioSource | None, sink: AudioSink, echo_cancel: bool, noise_suppression: bool = False,
                     gain_control: bool = False) -> AudioSource | None:
    """The session's microphone with the stages asked for; `source` itself when none is."""
    if echo_cancel:
        return echo_cancelled(source, sink, EchoOptions(noise_suppression=noise_suppression, gain_control=gain_control))
    if noise_suppression or gain_control:
        cleanup = SpeechCleanup(noise_suppression, gain_control)
        return ProcessedSource(source if source is not None else QueueSource(), ProcessingChain([cleanup]))
    return source
