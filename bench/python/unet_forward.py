#!/usr/bin/env python3
"""UNet forward in plain PyTorch eager, the reference side of bench/run-unet-bench.sh (issue 3).

    unet_forward.py DIR CHANNELS LATENT BATCH WARMUP RUNS

Reads the checkpoint and inputs UnetForwardBench wrote (DIR/unet-CHANNELS.safetensors,
DIR/inputs-LATENT-BATCH.safetensors), runs the same UNet as the LDM reference code computes it:
fused F.group_norm / F.silu / F.gelu / F.layer_norm, and unfused attention (q.k^T * scale,
softmax, .v with (batch*heads) folded, as ldm's CrossAttention does). No autograd. Prints a
RESULT line (JSON) and, if Lathe's output is there, how far it is from this one.
"""
import json
import math
import os
import mmap
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path):
    """{name: tensor} (copied out of the mapping) and the metadata of a .safetensors file."""
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    (n,) = struct.unpack("<Q", mm[:8])
    header = json.loads(mm[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(mm, dtype=DTYPES[info["dtype"]], count=(end - begin) // np.dtype(DTYPES[info["dtype"]]).itemsize,
                              offset=8 + n + begin)
        out[name] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return out, meta


class UNet:
    """The LDM UNetModel forward over a dict of weights (SD 1.x names below model.diffusion_model.)."""

    def __init__(self, w, cfg):
        self.w = {k[len("model.diffusion_model."):]: v for k, v in w.items()}
        self.mc = cfg["model_channels"]
        self.mult = cfg["channel_mult"]
        self.r = cfg["num_res_blocks"]
        self.depth = cfg["transformer_depth"]
        self.heads = cfg["num_heads"]
        # transformer depth of each SpatialTransformer, read off the weight names
        self.depth_at = {}
        for name in self.w:
            if ".transformer_blocks." in name:
                pre, rest = name.split("transformer_blocks.", 1)
                self.depth_at[pre] = max(self.depth_at.get(pre, 0), int(rest.split(".")[0]) + 1)

    # The layers a LoRA adapts go through these two, so that train_step.py can add its LoRA.
    def linear(self, x, name):
        """A Linear layer of the checkpoint: x @ W^T (+ b)."""
        return F.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias"))

    def conv1x1(self, x, name):
        """A 1x1 Conv2d of the checkpoint (proj_in / proj_out)."""
        return F.conv2d(x, self.w[name + ".weight"], self.w.get(name + ".bias"))

    def resblock(self, h, emb, pre):
        w = self.w
        a = F.group_norm(h, 32, w[pre + "in_layers.0.weight"], w[pre + "in_layers.0.bias"], 1e-5)
        a = F.conv2d(F.silu(a), w[pre + "in_layers.2.weight"], w[pre + "in_layers.2.bias"], padding=1)
        e = F.linear(F.silu(emb), w[pre + "emb_layers.1.weight"], w[pre + "emb_layers.1.bias"])
        a = a + e[:, :, None, None]
        a = F.group_norm(a, 32, w[pre + "out_layers.0.weight"], w[pre + "out_layers.0.bias"], 1e-5)
        a = F.conv2d(F.silu(a), w[pre + "out_layers.3.weight"], w[pre + "out_layers.3.bias"], padding=1)
        skip = pre + "skip_connection.weight"
        return (F.conv2d(h, w[skip], w[pre + "skip_connection.bias"]) if skip in w else h) + a

    def attention(self, x, context, pre):
        q = self.linear(x, pre + "to_q")
        k = self.linear(context, pre + "to_k")
        v = self.linear(context, pre + "to_v")
        b, n, c = q.shape
        m = k.shape[1]
        h = self.heads
        d = c // h
        q, k, v = (t.reshape(b, -1, h, d).permute(0, 2, 1, 3).reshape(b * h, -1, d) for t in (q, k, v))
        sim = torch.bmm(q, k.transpose(1, 2)) * (d ** -0.5)
        out = torch.bmm(sim.softmax(dim=-1), v)
        out = out.reshape(b, h, n, d).permute(0, 2, 1, 3).reshape(b, n, c)
        return self.linear(out, pre + "to_out.0")

    def transformer(self, x, context, pre):
        w = self.w
        b, c, hh, ww = x.shape
        x_in = x
        x = F.group_norm(x, 32, w[pre + "norm.weight"], w[pre + "norm.bias"], 1e-6)
        x = self.conv1x1(x, pre + "proj_in")
        x = x.permute(0, 2, 3, 1).reshape(b, hh * ww, c)
        for k in range(self.depth_at[pre]):
            blk = pre + f"transformer_blocks.{k}."
            x = self.self_attention(x, blk) + x
            y = F.layer_norm(x, (c,), w[blk + "norm2.weight"], w[blk + "norm2.bias"], 1e-5)
            x = self.attention(y, context, blk + "attn2.") + x
            y = F.layer_norm(x, (c,), w[blk + "norm3.weight"], w[blk + "norm3.bias"], 1e-5)
            a, gate = self.linear(y, blk + "ff.net.0.proj").chunk(2, dim=-1)
            x = self.linear(a * F.gelu(gate), blk + "ff.net.2") + x
        x = x.reshape(b, hh, ww, c).permute(0, 3, 1, 2)
        return self.conv1x1(x, pre + "proj_out") + x_in

    def self_attention(self, x, blk):
        w = self.w
        c = x.shape[-1]
        n = F.layer_norm(x, (c,), w[blk + "norm1.weight"], w[blk + "norm1.bias"], 1e-5)
        return self.attention(n, n, blk + "attn1.")

    def forward(self, x, timesteps, context):
        w = self.w
        half = self.mc // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(0, half, dtype=torch.float32) / half)
        args = timesteps[:, None].float() * freqs[None]
        t_emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
        emb = F.linear(F.silu(F.linear(t_emb, w["time_embed.0.weight"], w["time_embed.0.bias"])),
                       w["time_embed.2.weight"], w["time_embed.2.bias"])
        h = F.conv2d(x, w["input_blocks.0.0.weight"], w["input_blocks.0.0.bias"], padding=1)
        hs = [h]
        block = 1
        levels = len(self.mult)
        for level in range(levels):
            for _ in range(self.r):
                h = self.resblock(h, emb, f"input_blocks.{block}.0.")
                if self.depth[level]:
                    h = self.transformer(h, context, f"input_blocks.{block}.1.")
                hs.append(h)
                block += 1
            if level < levels - 1:
                h = F.conv2d(h, w[f"input_blocks.{block}.0.op.weight"], w[f"input_blocks.{block}.0.op.bias"], stride=2, padding=1)
                hs.append(h)
                block += 1
        h = self.resblock(h, emb, "middle_block.0.")
        h = self.transformer(h, context, "middle_block.1.")
        h = self.resblock(h, emb, "middle_block.2.")
        block = 0
        for level in reversed(range(levels)):
            for j in range(self.r + 1):
                h = self.resblock(torch.cat([h, hs.pop()], dim=1), emb, f"output_blocks.{block}.0.")
                layer = 1
                if self.depth[level]:
                    h = self.transformer(h, context, f"output_blocks.{block}.1.")
                    layer = 2
                if j == self.r and level > 0:
                    h = F.interpolate(h, scale_factor=2.0, mode="nearest")
                    h = F.conv2d(h, w[f"output_blocks.{block}.{layer}.conv.weight"],
                                 w[f"output_blocks.{block}.{layer}.conv.bias"], padding=1)
                block += 1
        h = F.silu(F.group_norm(h, 32, w["out.0.weight"], w["out.0.bias"], 1e-5))
        return F.conv2d(h, w["out.2.weight"], w["out.2.bias"], padding=1)


def main():
    folder, channels, latent, batch, warmup, runs = sys.argv[1], *map(int, sys.argv[2:7])
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    weights, meta = read_safetensors(f"{folder}/unet-{channels}.safetensors")
    unet = UNet(weights, json.loads(meta["unet_config"]))
    inputs, _ = read_safetensors(f"{folder}/inputs-{latent}-{batch}.safetensors")
    x, t, context = inputs["x"], inputs["timesteps"], inputs["context"]
    times = []
    cpu = []
    with torch.inference_mode():
        for _ in range(warmup):
            unet.forward(x, t, context)[0, 0, 0, 0].item()
        for _ in range(runs):
            start_cpu = time.process_time()
            start = time.perf_counter()
            unet.forward(x, t, context)[0, 0, 0, 0].item()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        eps = unet.forward(x, t, context)
        if os.environ.get("UNET_BENCH_PROFILE"):
            with torch.autograd.profiler.profile() as prof:
                unet.forward(x, t, context)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
    rss = -1
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) // 1024
    result = {"side": "pytorch", "channels": channels, "latent": latent, "batch": batch, "runs": runs,
              "min": min(times), "median": statistics.median(times), "max": max(times), "times": times,
              "cpu_median": statistics.median(cpu), "cpu_times": cpu,
              "peak_rss_mb": rss, "engine": f"torch {torch.__version__}, {torch.get_num_threads()} threads"}
    try:
        lathe, _ = read_safetensors(f"{folder}/lathe-eps-{channels}-{latent}-{batch}.safetensors")
        diff = (lathe["eps"] - eps).abs().max().item()
        result["max_abs_diff_vs_lathe"] = diff
        result["max_abs_eps"] = eps.abs().max().item()
    except FileNotFoundError:
        pass
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
