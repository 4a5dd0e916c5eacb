"""Which kiosk questions the intent layer claims before the knowledge base sees them.

The chain asks the sentence templates first; a visitor's question they claim never reaches the documents
("What's the warranty on the Breeze T2?" refused as a device called "what's the warranty"). Every question
of every set goes through the intent responder as the daemon builds it (default settings: no devices);
each claim is listed with what it would have said or done. The weather and the time are right to claim.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from firmware_py.config import Settings
from firmware_py.respond.assembly import device_directory
from firmware_py.respond.intents import create_intent_responder


def intent_claims(sets: dict[str, Path], questions_of: Any) -> dict[str, Any]:
    return asyncio.run(_claims(sets, questions_of))


async def _claims(sets: dict[str, Path], questions_of: Any) -> dict[str, Any]:
    settings = Settings()
    responder = create_intent_responder(settings.intents.language, device_directory(settings), ())
    claims: list[dict[str, str]] = []
    asked = 0
    for name, folder in sets.items():
        for item in questions_of(folder):
            asked += 1
            answer = await responder.match(item["q"], "bench")
            if answer is not None:
                claims.append({"set": name, "question": item["q"], "said": answer.text,
                               "actions": repr([(a.name, a.arguments) for a in answer.actions])})
    responder.close()
    return {"questions": asked, "claimed": len(claims), "claims": claims}
