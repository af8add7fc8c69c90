"""Build the tiny local model the real-peer benchmark serves (no hub: every byte is made here).

Why: a real OpenAI-compatible server (vLLM) needs a model, and this machine cannot download one. The model
is a 2-layer Llama with random weights (seeded, so the same on every machine) and a byte-level BPE tokenizer
trained here on text this machine already has (Python's own standard library). It speaks nonsense, which is
the point: what respcheck judges against it is the server's protocol, and everything that needs a capable
model (tool calls, following an instruction) is a model limit, not a deviation of the server.

    python benchmarks/peer_model.py /tmp/respcheck-peer/model     # needs torch, transformers, tokenizers
"""

from __future__ import annotations

import argparse
import json
import sys
import sysconfig
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['content'] is string %}{% set text = message['content'] %}"
    "{% else %}{% set text = message['content'] | map(attribute='text') | select('defined') | join('') %}{% endif %}"
    "<|{{ message['role'] }}|>{{ text }}<|end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
"""A plain role-tagged template (the server needs one to turn Responses input into a prompt)."""
SPECIAL = ["<|endoftext|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>", "<|developer|>", "<|tool|>"]
VOCAB = 2048
CONTEXT = 2048
SEED = 1234


def corpus() -> list[str]:
    """Text every CPython install has: the first 200 modules of the standard library, sorted."""
    lib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in lib.glob("*.py"))[:200]
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def build_tokenizer(out: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|end|>", bos_token="<|endoftext|>",
                                   pad_token="<|endoftext|>", unk_token="<|endoftext|>",
                                   additional_special_tokens=SPECIAL[2:])
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = CONTEXT
    fast.save_pretrained(out)


def build_model(out: Path, vocab: int) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(SEED)
    config = LlamaConfig(vocab_size=vocab, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=CONTEXT,
                         bos_token_id=0, eos_token_id=1, pad_token_id=0, tie_word_embeddings=True,
                         torch_dtype="float32")
    model = LlamaForCausalLM(config)
    model.save_pretrained(out, safe_serialization=True)
    gen = {"bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 0}
    (out / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to write the model and tokenizer into")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    build_tokenizer(args.out)
    from transformers import AutoTokenizer

    vocab = len(AutoTokenizer.from_pretrained(args.out))
    build_model(args.out, vocab)
    print(f"tiny model: {args.out} (vocab {vocab}, context {CONTEXT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
