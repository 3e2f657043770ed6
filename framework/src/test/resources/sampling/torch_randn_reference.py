#!/usr/bin/env python3
"""Reference draws of PyTorch's CPU generator for SamplerNoiseTest (torch_randn_reference.json).

Run with Debian's python3-torch (1.13; its x86-64 build takes the AVX2 Box-Muller kernel, as
official builds do on any CPU with AVX2):
    /usr/bin/python3 torch_randn_reference.py > torch_randn_reference.json

For each seed: torch.manual_seed(seed), then the draws below in this order on the same stream.
Large draws are stored as the SHA-256 of their float32 little-endian bytes plus the first values;
draws under 16 values (which take PyTorch's float64 Box-Muller path) in full.
"""
import hashlib
import json
import platform
import re

import torch

SEEDS = [0, 1, 42, 12345, 2**32 - 1, 2**32 + 7]
# (kind, count): a 4x8x8 latent, a count that is not a multiple of 16, small draws (cached pair),
# a 4x64x64 latent (a 512x512 image), then uniforms.
DRAWS = [("randn", 256), ("randn", 250), ("randn", 5), ("randn", 3), ("randn", 4 * 64 * 64), ("rand", 100)]

capability = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
out = {"torch_version": torch.__version__, "machine": platform.machine(),
       "cpu_capability": capability.group(1) if capability else "unknown",
       "draws": [{"kind": k, "count": n} for k, n in DRAWS], "seeds": []}
for seed in SEEDS:
    torch.manual_seed(seed)
    results = []
    for kind, count in DRAWS:
        values = (torch.randn if kind == "randn" else torch.rand)(count, dtype=torch.float32)
        data = values.numpy().astype("<f4").tobytes()
        entry = {"sha256": hashlib.sha256(data).hexdigest(), "first": [float(v) for v in values[:8]]}
        if count < 16:
            entry["values"] = [float(v) for v in values]
        results.append(entry)
    out["seeds"].append({"seed": seed, "draws": results})
print(json.dumps(out, indent=1))
