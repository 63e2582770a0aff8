"""The safetensors format as published (https://github.com/huggingface/safetensors, README "Format"), written
out in plain Python because the safetensors package is not installable here: an 8-byte little-endian header
length, a UTF-8 JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}} padded with spaces
to a multiple of 8, then the data. save() lays tensors out as the reference writer does (by dtype alignment,
largest first, then by name); load() checks what the reference reader checks (offsets tile the data exactly)."""
import json
import struct

import torch

DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}
CODES = {v: k for k, v in DTYPES.items()}


def _bytes(t):
    t = t.contiguous()
    if t.numel() == 0:
        return b""
    # Reinterpret as bytes without numpy (bfloat16 has no numpy dtype).
    return bytes(t.reshape(-1).view(torch.uint8).tolist()) if t.dtype != torch.bool else bytes(t.to(torch.uint8).reshape(-1).tolist())


def save(tensors, path, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, blobs, at = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in items:
        b = _bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    metadata = header.pop("__metadata__", None)
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in header.items())
    at = 0
    for begin, end, name in spans:
        assert begin == at, f"{name}: gap or overlap at {begin} (expected {at})"
        at = end
    assert at == len(body), f"tensors cover {at} bytes, data has {len(body)}"
    out = {}
    for name, v in header.items():
        begin, end = v["data_offsets"]
        dtype = CODES[v["dtype"]]
        raw = torch.tensor(list(body[begin:end]), dtype=torch.uint8)
        t = raw.view(dtype) if dtype != torch.bool else raw.to(torch.bool)
        out[name] = t.reshape(v["shape"])
    return out, metadata
