"""A small BERT encoder in plain torch for the bundled all-MiniLM-L6-v2.

Why not sentence-transformers here: importing it (and transformers) costs several seconds on these
machines, which is most of a cold ``qa ask``. This is the same computation (BERT, mean pooling,
L2 normalisation) with the same weights; tests/index/test_minilm.py checks it against
sentence-transformers (cosine > 0.9999). Other models still go through sentence-transformers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray


class MiniLM:
    """BERT forward pass over a safetensors checkpoint, CPU, inference only."""

    def __init__(self, path: Path, max_tokens: int = 256) -> None:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.w: dict[str, torch.Tensor] = load_file(str(path / "model.safetensors"))
        self.tokenizer: Any = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()

    def _layer_norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, x.shape[-1:], self.w[f"{name}.weight"], self.w[f"{name}.bias"],
                            self.eps)  # fmt: skip

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        w = self.w
        n, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length].unsqueeze(0)
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        bias = torch.zeros(n, 1, 1, length, dtype=x.dtype)
        bias = bias.masked_fill(~mask.bool()[:, None, None, :], torch.finfo(x.dtype).min)
        dim = x.shape[-1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def heads(t: torch.Tensor) -> torch.Tensor:
                return t.view(n, length, self.heads, dim).transpose(1, 2)

            q = heads(self._linear(x, f"{p}.attention.self.query"))
            k = heads(self._linear(x, f"{p}.attention.self.key"))
            v = heads(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(-1, -2) / math.sqrt(dim) + bias.to(q.dtype)
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(n, length, -1)
            attended = self._linear(context, f"{p}.attention.output.dense")
            x = self._layer_norm(attended + x, f"{p}.attention.output.LayerNorm")
            hidden = F.gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._layer_norm(self._linear(hidden, f"{p}.output.dense") + x,
                                 f"{p}.output.LayerNorm")  # fmt: skip
        m = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return F.normalize(pooled.float(), dim=-1)

    def encode(
        self, texts: list[str], batch_size: int = 32, bf16: bool = True
    ) -> NDArray[np.float32]:
        """Unit vectors for ``texts``; batches are formed by length so padding costs little."""
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]),
                       dtype=np.float32)  # fmt: skip
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                # Lengths rounded up to a multiple of 16: few distinct shapes, so oneDNN keeps
                # few compiled kernels (memory) and compiles less (time).
                length = -(-max(len(encodings[i].ids) for i in batch) // 16) * 16
                ids = torch.zeros(len(batch), length, dtype=torch.long)
                mask = torch.zeros(len(batch), length, dtype=torch.long)
                for row, i in enumerate(batch):
                    tokens = encodings[i].ids
                    ids[row, : len(tokens)] = torch.tensor(tokens)
                    mask[row, : len(tokens)] = 1
                out[batch] = self._forward(ids, mask).numpy()
        return out
