"""A quick check of the local LLM's plain facts: 30 everyday questions, greedy, with the device's persona, an
answer right when it holds the expected word. For comparing a model file or cache precision against another
(`python scripts/bench/llm_facts.py MODEL.gguf [q8kv]`), not an accuracy figure of its own. `QA` also serves
`conversation_history.py`.
"""
import sys
QA = [("What is the capital of France?", "paris"), ("What is the capital of Japan?", "tokyo"), ("How many legs does a spider have?", "eight|8"),
("What color is the sky on a clear day?", "blue"), ("What is the largest planet in the solar system?", "jupiter"), ("What gas do plants take in?", "carbon dioxide|co2"),
("How many days are in a week?", "seven|7"), ("What is the boiling point of water in Celsius?", "100"), ("Who wrote Romeo and Juliet?", "shakespeare"),
("What is the chemical symbol for water?", "h2o"), ("How many continents are there?", "seven|7"), ("What is the opposite of hot?", "cold"),
("What animal says moo?", "cow"), ("What is two plus two?", "four|4"), ("What is the capital of Italy?", "rome"), ("What planet do we live on?", "earth"),
("How many hours are in a day?", "24|twenty-four"), ("What is frozen water called?", "ice"), ("Which ocean is the largest?", "pacific"),
("What is the capital of Germany?", "berlin"), ("What do bees make?", "honey"), ("How many months are in a year?", "twelve|12"),
("What is the closest star to Earth?", "sun"), ("What language is spoken in Spain?", "spanish"), ("What is the capital of England?", "london"),
("What colour are bananas when ripe?", "yellow"), ("How many wheels does a bicycle have?", "two|2"), ("What is the fastest land animal?", "cheetah"),
("Which animal is known as the king of the jungle?", "lion"), ("What is the tallest mountain in the world?", "everest")]


def main() -> None:
    import llama_cpp
    from llama_cpp import Llama

    path = sys.argv[1]
    kw = dict(type_k=llama_cpp.GGML_TYPE_Q8_0, type_v=llama_cpp.GGML_TYPE_Q8_0, flash_attn=True) if "q8kv" in sys.argv else {}
    l = Llama(model_path=path, n_ctx=1024, n_threads=1, verbose=False, seed=0, **kw)
    sysmsg = {"role": "system", "content": "You are a helpful voice assistant on a small offline device. Answer in one or two short spoken sentences. Never use lists, markdown or emoji."}
    right = 0
    for q, a in QA:
        out = l.create_chat_completion(messages=[sysmsg, {"role": "user", "content": q}], max_tokens=40, temperature=0)["choices"][0]["message"]["content"]
        ok = any(x in out.lower() for x in a.split("|")); right += ok
    print(path.split("/")[-1], "q8kv" in sys.argv, "right", right, "of", len(QA))


if __name__ == "__main__":
    main()
