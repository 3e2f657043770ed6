"""Reference outputs for InfotextTest: AUTOMATIC1111's infotext rules run with Python's own re and
json modules (the behaviour Lathe's Java must match), re-stated from A1111 1.10's
processing.create_infotext and infotext_utils.quote / parse_generation_parameters (the raw
splitting only; A1111's defaults for missing keys are not part of it).

Run: python3 infotext_reference.py > infotext_reference.json
"""
import json
import re

re_param = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
re_imagesize = re.compile(r"^(\d+)x(\d+)$")


def quote(text):
    if ',' not in str(text) and '\n' not in str(text) and ':' not in str(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def unquote(text):
    if len(text) == 0 or text[0] != '"' or text[-1] != '"':
        return text
    try:
        return json.loads(text)
    except Exception:
        return text


def create(prompt, negative, params):
    line = ", ".join([k if k == v else f'{k}: {quote(v)}' for k, v in params.items() if v is not None])
    negative_text = f"\nNegative prompt: {negative}" if negative else ""
    return f"{prompt}{negative_text}\n{line}".strip()


def parse(x):
    res = {}
    prompt = ""
    negative_prompt = ""
    done_with_prompt = False
    *lines, lastline = x.strip().split("\n")
    if len(re_param.findall(lastline)) < 3:
        lines.append(lastline)
        lastline = ''
    for line in lines:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            done_with_prompt = True
            line = line[16:].strip()
        if done_with_prompt:
            negative_prompt += ("" if negative_prompt == "" else "\n") + line
        else:
            prompt += ("" if prompt == "" else "\n") + line
    res["Prompt"] = prompt
    res["Negative prompt"] = negative_prompt
    for k, v in re_param.findall(lastline):
        try:
            if v[0] == '"' and v[-1] == '"':
                v = unquote(v)
            m = re_imagesize.match(v)
            if m is not None:
                res[f"{k}-1"] = m.group(1)
                res[f"{k}-2"] = m.group(2)
            else:
                res[k] = v
        except Exception:
            pass
    return res


def base(**extra):
    p = {"Steps": "20", "Sampler": "Euler a", "Schedule type": "Uniform", "CFG scale": "7", "Seed": "1",
         "Size": "512x512", "Model hash": "0123456789", "Model": "tiny"}
    p.update(extra)
    return p


cases = [
    ("plain", "a photo of a cat", "", base(Version="Lathe 0.1.0")),
    ("negative", "1girl, solo, (smile:1.2)", "lowres, bad anatomy", base(**{"Clip skip": "2", "RNG": "CPU"})),
    ("lora hashes", "portrait <lora:epoch-5:0.8> <lora:style:0.5@0,0@1>", "blurry",
     base(**{"Lora hashes": "epoch-5: 0123456789ab, style: ba9876543210", "Version": "Lathe 0.1.0"})),
    ("multi-line prompt", "first line\nsecond line, with comma\n\nafter a blank line", "neg line 1\nneg line 2", base()),
    ("quotes and backslashes", 'say "hi" \\ (escaped\\)', 'no "quotes"', base(Model='my "model", v2: final')),
    ("unicode", "猫の写真, 🐱, café", "низкое качество", base(Model="モデル: 2")),
    ("control characters", "tab\there", "", base(Model="a\tb, c\u0001d")),
    ("model with colon", "x", "", base(Model="sd: v1-5", Version="v1.10.1")),
    ("value equals key", "x", "", base(Tiling="Tiling")),
    ("empty prompt", "", "", base()),
    ("negative prompt inside prompt", "a\nNegative prompt: b\nc", "", base()),
    ("key with dash and slash", "x", "", base(**{"Hires upscale/x": "2", "ADetailer model-2": "face_yolov8n.pt"})),
]

parse_only = [
    ("A1111 docstring", "girl with an artist's beret, determined, blue eyes\nNegative prompt: ugly, fat, obese\n"
     "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 965400086, Size: 512x512, Model hash: 45dee52b"),
    ("two parameters only: part of the prompt", "a cat\nSteps: 20, Seed: 1"),
    ("empty value skipped", "a cat\nSteps: 20, Model: , Seed: 1, Size: 64x64"),
    ("spaces around", "  a cat  \n  Negative prompt:   dog  \n  Steps: 5,  Sampler: DDIM, Seed: 3, Size: 8x16  "),
    ("old sampler name", "x\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 42, Size: 512x768"),
    ("broken quote kept", 'x\nSteps: 20, Model: "a\\qb", Seed: 1, Size: 8x8'),
    ("crlf", "a cat\r\nSteps: 20, Seed: 1, Size: 8x8\r"),
    ("repeated key", "x\nSteps: 20, Seed: 1, Seed: 2, Size: 8x8"),
    ("size-like value", "x\nSteps: 20, Seed: 1, Size: 8x8, Hires resize: 1024x1536"),
]

out = {"format": [], "parse": []}
for name, prompt, negative, params in cases:
    text = create(prompt, negative, params)
    out["format"].append({"name": name, "prompt": prompt, "negative": negative, "parameters": params,
                          "text": text, "parsed": parse(text)})
for name, text in parse_only:
    out["parse"].append({"name": name, "text": text, "parsed": parse(text)})
print(json.dumps(out, ensure_ascii=False, indent=1))
