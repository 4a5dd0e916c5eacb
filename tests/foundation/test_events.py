"""The event bus: ordered fan-out, filters, isolation of a failing subscriber, bounded queues."""

import asyncio

from firmware_py.events import (BotLlmText, EventBus, EventQueue, UserStartedSpeaking, UserTranscript)


def test_publish_reaches_matching_subscribers_in_order() -> None:
    bus = EventBus()
    everything, transcripts, session_b = [], [], []
    bus.subscribe(everything.append)
    bus.subscribe(transcripts.append, UserTranscript)
    bus.subscribe(session_b.append, session_id="b")
    events = [UserStartedSpeaking(session_id="a"), UserTranscript(session_id="b", text="hi", final=True),
              BotLlmText(session_id="a", text="yo")]
    for event in events:
        bus.publish(event)
    assert everything == events
    assert transcripts == [events[1]]
    assert session_b == [events[1]]


def test_failing_subscriber_does_not_silence_others() -> None:
    bus = EventBus()
    seen = []

    def broken(_event: object) -> None:
        raise RuntimeError("boom")

    bus.subscribe(broken)
    bus.subscribe(seen.append)
    bus.publish(UserStartedSpeaking())
    assert len(seen) == 1


def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    seen = []
    unsubscribe = bus.subscribe(seen.append)
    unsubscribe()
    bus.publish(UserStartedSpeaking())
    assert seen == []


def test_payload_and_kind() -> None:
    event = UserTranscript(session_id="s", text="hello", final=False)
    assert event.kind == "user-transcription"
    assert event.payload() == {"text": "hello", "final": False}


async def test_event_queue_drops_oldest_when_full() -> None:
    bus = EventBus()
    queue = EventQueue(bus, maxsize=3)
    for index in range(5):
        bus.publish(BotLlmText(text=str(index)))
    assert queue.dropped == 2
    texts = [(await asyncio.wait_for(queue.get(), 1)).text for _ in range(3)]
    assert texts == ["2", "3", "4"]
    queue.close()
    bus.publish(BotLlmText(text="after"))
    assert queue.get_nowait() is None
