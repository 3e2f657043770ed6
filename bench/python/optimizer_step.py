#!/usr/bin/env python3
"""One optimizer step over a real-size SD 1.5 LoRA in PyTorch eager: the reference side of
dev.lathe.bench.OptimizerStepBench (same parameter set, same warm-up / timed steps, same output).

Parameters: every module kohya-ss targets by default (fixtures/train/lora_keys_sd15.json,
kohya.lora: 192 UNet + 72 text-encoder Linear / 1x1-conv modules) at rank 96, float32, two
parameter groups, fixed random gradients.

- adamw:          torch.optim.AdamW(lr=1e-4) with torch's defaults (this torch's default code path;
                  `adamw-foreach` runs the multi-tensor path for comparison).
- adafactor:      transformers' Adafactor in relative-step mode (lr=None, scale_parameter=True,
                  warmup_init=False, eps=(1e-30, 1e-3), clip_threshold=1.0, decay_rate=-0.8,
                  beta1=None, weight_decay=0). transformers is not installable on the benchmark
                  machines (no PyPI, no Debian package), so `ReferenceAdafactor` below re-implements
                  its step in plain torch with the same tensor operations in the same order
                  (including its temporaries), which is what the timing depends on.

Usage: optimizer_step.py <lora_keys_sd15.json> [rank] [warmup] [timed] [soak] [optimizer...]
"""
import json
import math
import sys
import time

import torch


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def module_shapes(path, rank):
    with open(path) as f:
        lora = json.load(f)["kohya"]["lora"]
    modules = []
    for m in lora:
        if m["kind"] == "linear":
            down, up = (rank, m["in_features"]), (m["out_features"], rank)
        elif m["kind"] == "conv1x1":
            down, up = (rank, m["in_channels"], 1, 1), (m["out_channels"], rank, 1, 1)
        else:
            raise ValueError("unexpected module kind %s" % m["kind"])
        modules.append((m["name"], down, up))
    return modules


class ReferenceAdafactor(torch.optim.Optimizer):
    """transformers.optimization.Adafactor's step, written out in plain torch (see module doc)."""

    def __init__(self, params, eps=(1e-30, 1e-3), clip_threshold=1.0, decay_rate=-0.8):
        super().__init__(params, dict(eps=eps, clip_threshold=clip_threshold, decay_rate=decay_rate))

    @staticmethod
    def _rms(t):
        return t.norm(2) / (t.numel() ** 0.5)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            eps1, eps2 = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                st = self.state[p]
                factored = g.dim() >= 2
                if not st:
                    st["step"] = 0
                    if factored:
                        st["row"] = torch.zeros(g.shape[:-1], dtype=g.dtype)
                        st["col"] = torch.zeros(g.shape[:-2] + g.shape[-1:], dtype=g.dtype)
                    else:
                        st["full"] = torch.zeros_like(g)
                st["step"] += 1
                t = st["step"]
                # relative step, scaled by the parameter's RMS (a 0-dim tensor, as in transformers)
                st["RMS"] = self._rms(p)
                lr = max(eps2, st["RMS"]) * min(1e-2, 1.0 / math.sqrt(t))
                beta2t = 1.0 - math.pow(t, group["decay_rate"])
                u = g ** 2 + eps1
                if factored:
                    row, col = st["row"], st["col"]
                    row.mul_(beta2t).add_(u.mean(dim=-1), alpha=1.0 - beta2t)
                    col.mul_(beta2t).add_(u.mean(dim=-2), alpha=1.0 - beta2t)
                    r = (row / row.mean(dim=-1, keepdim=True)).rsqrt_().unsqueeze(-1)
                    c = col.unsqueeze(-2).rsqrt()
                    u = torch.mul(r, c)
                    u.mul_(g)
                else:
                    full = st["full"]
                    full.mul_(beta2t).add_(u, alpha=1.0 - beta2t)
                    u = full.rsqrt().mul_(g)
                u.div_((self._rms(u) / group["clip_threshold"]).clamp_(min=1.0))
                u.mul_(lr)
                p.add_(-u)


def make_parameters(modules, seed=1234):
    torch.manual_seed(seed)
    unet, text_encoder = [], []
    for name, down, up in modules:
        group = text_encoder if name.startswith("lora_te") else unet
        for shape in (down, up):
            p = torch.empty(shape).uniform_(-0.05, 0.05).requires_grad_(True)
            p.grad = torch.randn(shape) * 1e-3
            group.append(p)
    return unet, text_encoder


def run(kind, modules, warmup, timed, soak):
    unet, text_encoder = make_parameters(modules)
    if kind == "adamw":
        opt = torch.optim.AdamW([{"params": unet}, {"params": text_encoder}], lr=1e-4)
    elif kind == "adamw-foreach":
        opt = torch.optim.AdamW([{"params": unet}, {"params": text_encoder}], lr=1e-4, foreach=True)
    elif kind == "adafactor":
        opt = ReferenceAdafactor([{"params": unet}, {"params": text_encoder}])
    else:
        raise ValueError(kind)
    for _ in range(warmup):
        opt.step()
    before = rss_mib()
    cpu_before = time.process_time()
    times = []
    for _ in range(timed):
        start = time.perf_counter()
        opt.step()
        times.append((time.perf_counter() - start) * 1e3)
    cpu_ms = (time.process_time() - cpu_before) * 1e3 / timed
    after = rss_mib()
    for _ in range(soak):
        opt.step()
    soaked = rss_mib()
    times.sort()
    n = len(times)
    median = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
    print("RESULT torch %s steps=%d min_ms=%.1f median_ms=%.1f max_ms=%.1f cpu_ms=%.1f rss_mib_before=%.0f "
          "rss_mib_after=%.0f soak_steps=%d rss_mib_soaked=%.0f"
          % (kind, timed, times[0], median, times[-1], cpu_ms, before, after, soak, soaked), flush=True)


def main():
    args = sys.argv[1:]
    path = args[0] if args else "../shared/fixtures/train/lora_keys_sd15.json"
    rank = int(args[1]) if len(args) > 1 else 96
    warmup = int(args[2]) if len(args) > 2 else 3
    timed = int(args[3]) if len(args) > 3 else 30
    soak = int(args[4]) if len(args) > 4 else 0
    kinds = args[5:] or ["adamw", "adafactor"]
    torch.set_num_interop_threads(1)
    modules = module_shapes(path, rank)
    count = sum(math.prod(d) + math.prod(u) for _, d, u in modules)
    print("SD 1.5 LoRA rank %d: %d modules, %d tensors, %s parameters; torch %s, %d threads"
          % (rank, len(modules), 2 * len(modules), format(count, ","), torch.__version__, torch.get_num_threads()))
    for kind in kinds:
        run(kind, modules, warmup, timed, soak)


if __name__ == "__main__":
    main()
