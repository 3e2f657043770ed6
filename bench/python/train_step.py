#!/usr/bin/env python3
"""The standard training step of BENCHMARK.md in plain PyTorch eager: the reference side of
bench/run-train-bench.sh (issue 5).

    train_step.py CHECKPOINT LATENT BATCH WARMUP STEPS [CHECK_FILE]

Reads the SD 1.x single-file checkpoint TrainStepBench generated (UNet, CLIP ViT-L text encoder)
and runs one kohya-style LoRA step as kohya-ss/sd-scripts' train_network.py runs it with
--network_train_unet_only and cached latents:

  latents = cached * 0.18215;  context = text_encoder(input_ids) under no_grad (last hidden state)
  noise ~ N(0, 1), t ~ U{0..999};  noisy = sqrt(acp[t]) * latents + sqrt(1 - acp[t]) * noise
  noisy.requires_grad_(True);  pred = unet(noisy, t, context)  with the LoRA, float32
  loss = mse(pred, noise, reduction="none").mean([1, 2, 3]) * loss_weights, then .mean()
  loss.backward();  clip_grad_norm_(lora, 1.0);  AdamW step;  zero_grad(set_to_none=True);  loss.item()

The UNet is bench/python/unet_forward.py's (the LDM reference computation, unfused attention);
the LoRA is kohya's networks/lora.py LoRAModule with dropouts off: org_forward(x) +
lora_up(lora_down(x)) * multiplier * scale, Linear pairs for Linear layers and 1x1-conv pairs for
proj_in/proj_out, on every Linear and 1x1 conv inside the transformer containers (192 modules for
SD 1.5's topology); down Kaiming-uniform (a = sqrt(5)), up zeros. The text encoder is Hugging
Face's CLIPTextModel computation (causal mask, quick GELU). Prints a RESULT line (JSON); if
CHECK_FILE (written by TrainStepBench) exists, also how far this side's text encoding and UNet
output are from Lathe's for the same inputs. With TRAIN_BENCH_LORA=0 no LoRA is attached and no
optimizer runs (backward still reaches the noisy latents): the difference is what the LoRA costs.
TRAIN_BENCH_PROFILE=1 prints torch's profiler table of one more step.
"""
import json
import math
import os
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_forward import UNet, read_safetensors  # noqa: E402

CAPTION = [49406, 1125, 539, 48136, 2308, 267, 5352, 267, 1312, 536, 15061, 267, 3490, 267, 7067, 1774, 267,
           10469, 267, 3288, 1395, 49407]
TOKENS = 77
LORA_TARGETS = re.compile(r"^model\.diffusion_model\..*\.(proj_in|proj_out|attn[12]\.to_[qkv]|attn[12]\.to_out\.0"
                          r"|ff\.net\.0\.proj|ff\.net\.2)\.weight$")
PHASES = ["inputs_text", "forward", "backward", "clip", "optimizer"]


class LoraModule:
    """kohya's LoRAModule (networks/lora.py) without dropout: the down/up pair of one layer."""

    def __init__(self, weight, rank, alpha, generator):
        out_dim, in_dim = weight.shape[0], weight.shape[1]
        self.conv = weight.dim() == 4
        shape_down = (rank, in_dim, 1, 1) if self.conv else (rank, in_dim)
        shape_up = (out_dim, rank, 1, 1) if self.conv else (out_dim, rank)
        self.down = torch.empty(shape_down)
        torch.nn.init.kaiming_uniform_(self.down, a=math.sqrt(5))  # as nn.Linear/Conv2d reset_parameters
        self.up = torch.zeros(shape_up)
        self.down.requires_grad_(True)
        self.up.requires_grad_(True)
        self.multiplier = 1.0
        self.scale = alpha / rank

    def delta(self, x):
        project = F.conv2d if self.conv else F.linear
        lx = project(project(x, self.down), self.up)
        return lx * self.multiplier * self.scale


class LoraUNet(UNet):
    """The reference UNet with a LoRA beside each adapted Linear / 1x1 conv."""

    def __init__(self, weights, cfg, lora):
        super().__init__(weights, cfg)
        self.lora = lora  # layer name (below model.diffusion_model.) -> LoraModule

    def linear(self, x, name):
        y = super().linear(x, name)
        module = self.lora.get(name)
        return y if module is None else y + module.delta(x)

    def conv1x1(self, x, name):
        y = super().conv1x1(x, name)
        module = self.lora.get(name)
        return y if module is None else y + module.delta(x)


class ClipText:
    """Hugging Face CLIPTextModel's forward (last_hidden_state) over a dict of weights."""

    def __init__(self, weights, cfg):
        pre = "cond_stage_model.transformer.text_model."
        self.w = {k[len(pre):]: v for k, v in weights.items() if k.startswith(pre)}
        self.heads = cfg["num_attention_heads"]
        self.layers = cfg["num_hidden_layers"]
        self.eps = cfg["layer_norm_eps"]

    def __call__(self, ids):
        w = self.w
        b, n = ids.shape
        x = F.embedding(ids, w["embeddings.token_embedding.weight"]) + w["embeddings.position_embedding.weight"][:n]
        c = x.shape[-1]
        h = self.heads
        d = c // h
        mask = torch.full((n, n), float("-inf")).triu(1)[None, None]
        for i in range(self.layers):
            p = f"encoder.layers.{i}."
            residual = x
            x = F.layer_norm(x, (c,), w[p + "layer_norm1.weight"], w[p + "layer_norm1.bias"], self.eps)
            q = F.linear(x, w[p + "self_attn.q_proj.weight"], w[p + "self_attn.q_proj.bias"]) * d ** -0.5
            k = F.linear(x, w[p + "self_attn.k_proj.weight"], w[p + "self_attn.k_proj.bias"])
            v = F.linear(x, w[p + "self_attn.v_proj.weight"], w[p + "self_attn.v_proj.bias"])
            q, k, v = (t.view(b, n, h, d).transpose(1, 2).reshape(b * h, n, d) for t in (q, k, v))
            scores = torch.bmm(q, k.transpose(1, 2)).view(b, h, n, n) + mask
            probabilities = scores.view(b * h, n, n).softmax(dim=-1)
            out = torch.bmm(probabilities, v).view(b, h, n, d).transpose(1, 2).reshape(b, n, c)
            x = residual + F.linear(out, w[p + "self_attn.out_proj.weight"], w[p + "self_attn.out_proj.bias"])
            residual = x
            x = F.layer_norm(x, (c,), w[p + "layer_norm2.weight"], w[p + "layer_norm2.bias"], self.eps)
            x = F.linear(x, w[p + "mlp.fc1.weight"], w[p + "mlp.fc1.bias"])
            x = x * torch.sigmoid(1.702 * x)  # quick GELU
            x = residual + F.linear(x, w[p + "mlp.fc2.weight"], w[p + "mlp.fc2.bias"])
        return F.layer_norm(x, (c,), w["final_layer_norm.weight"], w["final_layer_norm.bias"], self.eps)


def rss_mb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return -1


def load_average():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def main():
    checkpoint, latent, batch, warmup, steps = sys.argv[1], *map(int, sys.argv[2:6])
    check_file = sys.argv[6] if len(sys.argv) > 6 else None
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    torch.set_num_interop_threads(1)
    torch.manual_seed(1234)

    load_start = time.perf_counter()
    weights, meta = read_safetensors(checkpoint)
    unet_cfg = json.loads(meta["unet_config"])
    text = ClipText(weights, json.loads(meta["text_config"]))
    generator = torch.Generator().manual_seed(42)
    lora = {}
    with_lora = os.environ.get("TRAIN_BENCH_LORA", "1") != "0"  # 0: no LoRA, no optimizer (backward to the latents)
    for name in weights:  # in file order; the optimizer's parameter order does not change the work
        if with_lora and LORA_TARGETS.match(name):
            lora[name[len("model.diffusion_model."):-len(".weight")]] = LoraModule(weights[name], 16, 1.0, generator)
    unet = LoraUNet({k: v for k, v in weights.items() if k.startswith("model.diffusion_model.")}, unet_cfg, lora)
    params = [t for m in lora.values() for t in (m.down, m.up)]
    optimizer = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01) if params else None
    load_seconds = time.perf_counter() - load_start

    input_ids = torch.tensor([CAPTION + [49407] * (TOKENS - len(CAPTION))] * batch, dtype=torch.int64)
    cached_latents = torch.randn(batch, 4, latent, latent) / 0.18215
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float32) ** 2
    alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
    loss_weights = torch.ones(batch)

    phase = [0.0] * len(PHASES)

    def step():
        mark = time.perf_counter()
        latents = cached_latents * 0.18215
        with torch.no_grad():
            context = text(input_ids)
        noise = torch.randn_like(latents)
        t = torch.randint(0, 1000, (batch,))
        # diffusers DDPMScheduler.add_noise
        sqrt_alpha = (alphas_cumprod[t] ** 0.5).flatten().view(-1, 1, 1, 1)
        sqrt_one_minus_alpha = ((1 - alphas_cumprod[t]) ** 0.5).flatten().view(-1, 1, 1, 1)
        noisy = sqrt_alpha * latents + sqrt_one_minus_alpha * noise
        noisy.requires_grad_(True)
        now = time.perf_counter(); phase[0] = now - mark; mark = now
        pred = unet.forward(noisy, t, context)
        loss = F.mse_loss(pred.float(), noise.float(), reduction="none").mean([1, 2, 3])
        loss = (loss * loss_weights).mean()
        now = time.perf_counter(); phase[1] = now - mark; mark = now
        loss.backward()
        now = time.perf_counter(); phase[2] = now - mark; mark = now
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        now = time.perf_counter(); phase[3] = now - mark; mark = now
        if optimizer:
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        value = loss.item()
        phase[4] = time.perf_counter() - mark
        return value

    result = {"side": "pytorch", "checkpoint": os.path.basename(checkpoint), "latent": latent, "batch": batch,
              "warmup": warmup, "steps": steps}
    if check_file and os.path.exists(check_file):
        check, _ = read_safetensors(check_file)
        with torch.no_grad():
            context = text(check["input_ids"])
            eps = unet.forward(check["x"], check["timesteps"], check["context"])
        result["check"] = {"context_max_abs_diff": (context - check["context"]).abs().max().item(),
                           "context_max_abs": check["context"].abs().max().item(),
                           "eps_max_abs_diff": (eps - check["eps"]).abs().max().item(),
                           "eps_max_abs": check["eps"].abs().max().item()}

    losses = [step() for _ in range(warmup)]
    rss_after_warmup = rss_mb("VmRSS:")
    times, cpu = [], []
    phases = [[] for _ in PHASES]
    load_at_start = load_average()
    for _ in range(steps):
        start_cpu = time.process_time()
        start = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        for p in range(len(PHASES)):
            phases[p].append(phase[p])
    if os.environ.get("TRAIN_BENCH_PROFILE"):
        with torch.autograd.profiler.profile() as prof:
            step()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))

    result.update({"min": min(times), "median": statistics.median(times), "max": max(times), "times": times,
                   "cpu_median": statistics.median(cpu), "cpu_times": cpu,
                   "phase_medians": {name: statistics.median(phases[p]) for p, name in enumerate(PHASES)},
                   "load_seconds": load_seconds, "loss_first_last": [losses[0], losses[-1]],
                   "lora_modules": len(lora), "lora_parameters": sum(p.numel() for p in params),
                   "peak_rss_mb": rss_mb("VmHWM:"), "rss_after_warmup_mb": rss_after_warmup,
                   "rss_after_steps_mb": rss_mb("VmRSS:"), "load_average_at_start": load_at_start,
                   "load_average_at_end": load_average(),
                   "engine": f"torch {torch.__version__}, {torch.get_num_threads()} threads"})
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
