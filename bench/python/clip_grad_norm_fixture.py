#!/usr/bin/env python3
"""Writes framework/src/test/resources/optim/clip_grad_norm.json: torch.nn.utils.clip_grad_norm_
(norm type 2, PyTorch's default code path) on a few gradient sets, the reference for
dev.lathe.optim.GradientsTest. Float32 values are written with repr() of their float64 value, so
they read back bit for bit.

    /usr/bin/python3 bench/python/clip_grad_norm_fixture.py > framework/src/test/resources/optim/clip_grad_norm.json
"""
import json

import torch


def case(name, shapes, scales, max_norm, seed):
    g = torch.Generator().manual_seed(seed)
    params = []
    for shape, scale in zip(shapes, scales):
        p = torch.zeros(shape, requires_grad=True)
        p.grad = (torch.randn(shape, generator=g) * scale).float()
        params.append(p)
    before = [p.grad.clone() for p in params]
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return {
        "name": name,
        "max_norm": max_norm,
        "total_norm": float(total),
        "shapes": [list(s) for s in shapes],
        "gradients": [[float(v) for v in b.flatten()] for b in before],
        "clipped": [[float(v) for v in p.grad.flatten()] for p in params],
    }


cases = [
    # a LoRA-like set (down [r, in], up [out, r], a 1x1-conv pair), norm well above 1: clipped
    case("clipped", [(4, 12), (12, 4), (4, 6, 1, 1), (6, 4, 1, 1)], [0.5, 0.2, 1.0, 0.05], 1.0, 1),
    # the same shapes with small gradients: the norm is below max_norm, nothing changes
    case("below", [(4, 12), (12, 4), (4, 6, 1, 1), (6, 4, 1, 1)], [0.01, 0.02, 0.01, 0.005], 1.0, 2),
    # another max_norm, and one large tensor next to small ones
    case("max_norm_0.25", [(600,), (5, 3), (7,)], [0.02, 1.0, 0.3], 0.25, 3),
]
print(json.dumps({"generator": "bench/python/clip_grad_norm_fixture.py", "torch": torch.__version__,
                  "cases": cases}))
