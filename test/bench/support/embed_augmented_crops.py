#!/usr/bin/env python3
"""Builds the kiosk benchmark's large face corpus on a many-core machine.

The same recipe as test/bench/support/kiosk-face-corpus.ts (which does it in Node, about 9
faces/s on a 2-core laptop, so 100k faces would take three hours there): each round copies
one sample photo; every face in it is re-cut from a changed version of its region (resolution,
light, colour, contrast, blur, JPEG artefacts), located again by the app's converted landmark
net from a jittered box, aligned the way src/vision/face-alignment.ts aligns (eyes levelled,
landmark box + 20%, squared) with a small extra tilt, and embedded by the app's converted
descriptor net. ONNX Runtime on the CPU, one process per core.

Input: the folder written by exportFaceRegions() (faces.json + face-N.png) and the app's
models/face/*.onnx. Output: vectors-K.npy chunks (float32, L2-normalised) and corpus.json
(rounds, faceOfRow), in chunks small enough to copy back from a lent machine; `--join` then
writes them as the cache loadKioskFaceCorpus() reads (kiosk-faces-seed<seed>.f32 + .json).

    python3 embed_augmented_crops.py KIT_DIR MODELS_DIR OUT_DIR --faces 100000
    python3 embed_augmented_crops.py --join OUT_DIR test/bench/.cache --seed 7
"""
import argparse
import json
import math
import os
from multiprocessing import Pool

import numpy as np

# Imported where used: `--join` runs on a laptop without OpenCV or ONNX Runtime for Python.
cv2 = None

LANDMARK_SIZE = 112
DESCRIPTOR_SIZE = 150
CROP_PADDING = 0.2
LEFT_EYE = list(range(36, 42))
RIGHT_EYE = list(range(42, 48))
BATCH = 64

_state = {}


def _init(kit_dir, models_dir):
    global cv2
    import cv2 as _cv2
    import onnxruntime as ort

    cv2 = _cv2
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    _state["landmarks"] = ort.InferenceSession(os.path.join(models_dir, "face_landmark_68.onnx"), opts, providers=["CPUExecutionProvider"])
    _state["descriptor"] = ort.InferenceSession(os.path.join(models_dir, "face_recognition.onnx"), opts, providers=["CPUExecutionProvider"])
    meta = json.load(open(os.path.join(kit_dir, "faces.json")))
    regions = []
    for r in meta["regions"]:
        img = cv2.cvtColor(cv2.imread(os.path.join(kit_dir, r["file"])), cv2.COLOR_BGR2RGB)
        bx, by, bw, bh = r["box"]
        regions.append({"img": img, "photo": r["photo"], "box": (bx - r["region"]["x"], by - r["region"]["y"], bw, bh)})
    _state["regions"] = regions


def warp(img, scale, centre, side, angle, size):
    """Bilinear sample of the aligned square, as warpAligned does (black outside the image)."""
    c, s = math.cos(angle), math.sin(angle)
    step = side / size
    # output pixel (u, v) -> local offset ((u + .5) * step - side / 2, ...) -> rotate -> image -> source pixel
    a = np.array([[c * step * scale, -s * step * scale], [s * step * scale, c * step * scale]])
    local0 = np.array([0.5 * step - side / 2, 0.5 * step - side / 2])
    origin = (np.array(centre) + np.array([[c, -s], [s, c]]) @ local0) * scale - 0.5
    m = np.hstack([a, origin.reshape(2, 1)])
    return cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def align(landmarks):
    left = landmarks[LEFT_EYE].mean(axis=0)
    right = landmarks[RIGHT_EYE].mean(axis=0)
    angle = math.atan2(right[1] - left[1], right[0] - left[0])
    pivot = (left + right) / 2
    c, s = math.cos(-angle), math.sin(-angle)
    levelled = (landmarks - pivot) @ np.array([[c, s], [-s, c]]) + pivot
    x0, y0 = levelled.min(axis=0)
    x1, y1 = levelled.max(axis=0)
    w, h = (x1 - x0) * (1 + CROP_PADDING), (y1 - y0) * (1 + CROP_PADDING)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    c2, s2 = math.cos(angle), math.sin(angle)
    centre = np.array([pivot[0] + (cx - pivot[0]) * c2 - (cy - pivot[1]) * s2, pivot[1] + (cx - pivot[0]) * s2 + (cy - pivot[1]) * c2])
    return centre, max(w, h), angle


def augmented(region, rng):
    img = region["img"]
    scale = 0.35 + rng.random() * 0.75
    h, w = img.shape[:2]
    nw, nh = max(24, round(w * scale)), max(24, round(h * scale))
    out = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA).astype(np.float32)
    brightness = 0.6 + rng.random() * 0.8
    saturation = 0.6 + rng.random() * 0.7
    grey = out.mean(axis=2, keepdims=True)
    out = (grey + (out - grey) * saturation) * brightness
    out = out * (0.8 + rng.random() * 0.4) + (rng.random() - 0.5) * 30
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        sigma = 0.3 + rng.random() * 1.2
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    quality = 30 + int(rng.random() * 65)
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    out = cv2.cvtColor(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return out, (nw / w + nh / h) / 2


def jittered(box, rng):
    x, y, w, h = box
    k = 0.92 + rng.random() * 0.16
    dx = (rng.random() - 0.5) * 0.1 * w
    dy = (rng.random() - 0.5) * 0.1 * h
    return (x + dx + (w - w * k) / 2, y + dy + (h - h * k) / 2, w * k, h * k)


def nchw(images):
    return np.ascontiguousarray(np.stack(images).astype(np.float32).transpose(0, 3, 1, 2))


def run_rounds(job):
    """Rounds [first, last): their photo, and an embedding for every face of that photo."""
    first, last, seed = job
    regions = _state["regions"]
    by_photo = {}
    for i, r in enumerate(regions):
        by_photo.setdefault(r["photo"], []).append(i)
    photos = sorted(by_photo)
    items, rounds = [], []
    for rnd in range(first, last):
        rng = np.random.default_rng([seed, rnd])
        photo = photos[int(rng.random() * len(photos))]
        rounds.append(photo)
        for face in by_photo[photo]:
            img, s = augmented(regions[face], rng)
            box = jittered(regions[face]["box"], rng)
            tilt = (rng.random() - 0.5) * 12 * math.pi / 180
            items.append((face, img, s, box, tilt))
    vectors, faces = [], []
    for b in range(0, len(items), BATCH):
        batch = items[b:b + BATCH]
        crops = []
        for face, img, s, (x, y, w, h), tilt in batch:
            side = max(w, h)
            crops.append(warp(img, s, (x + w / 2, y + h / 2), side, 0.0, LANDMARK_SIZE))
        marks = _state["landmarks"].run(None, {"face": nchw(crops)})[0].reshape(len(batch), 68, 2)
        aligned = []
        for (face, img, s, (x, y, w, h), tilt), m in zip(batch, marks):
            side = max(w, h)
            pts = np.array([x + w / 2 - side / 2, y + h / 2 - side / 2]) + m * side
            centre, aside, angle = align(pts)
            aligned.append(warp(img, s, centre, aside, angle + tilt, DESCRIPTOR_SIZE))
        desc = _state["descriptor"].run(None, {"face": nchw(aligned)})[0]
        desc = desc / np.linalg.norm(desc, axis=1, keepdims=True)
        vectors.append(desc.astype(np.float32))
        faces.extend(face for face, *_ in batch)
    return first, rounds, np.concatenate(vectors), faces


def join(out_dir, cache_dir, seed):
    meta = json.load(open(os.path.join(out_dir, "corpus.json")))
    chunks = sorted(f for f in os.listdir(out_dir) if f.startswith("vectors-"))
    vectors = np.concatenate([np.load(os.path.join(out_dir, f)) for f in sorted(chunks, key=lambda f: int(f[8:-4]))]).astype("<f4")
    assert len(vectors) == meta["count"], (len(vectors), meta["count"])
    base = os.path.join(cache_dir, f"kiosk-faces-seed{seed}")
    vectors.tofile(base + ".f32")
    json.dump(meta, open(base + ".json", "w"))
    print("wrote", base, meta["count"])


def main():
    if len(os.sys.argv) > 1 and os.sys.argv[1] == "--join":
        j = argparse.ArgumentParser()
        j.add_argument("--join", dest="out")
        j.add_argument("cache")
        j.add_argument("--seed", type=int, default=7)
        a = j.parse_args()
        return join(a.out, a.cache, a.seed)
    p = argparse.ArgumentParser()
    p.add_argument("kit")
    p.add_argument("models")
    p.add_argument("out")
    p.add_argument("--faces", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--chunks", type=int, default=4)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    meta = json.load(open(os.path.join(args.kit, "faces.json")))
    per_photo = {}
    for r in meta["regions"]:
        per_photo[r["photo"]] = per_photo.get(r["photo"], 0) + 1
    rounds_needed = math.ceil(args.faces / (sum(per_photo.values()) / len(per_photo))) + 50
    step = 200
    jobs = [(i, min(i + step, rounds_needed), args.seed) for i in range(0, rounds_needed, step)]
    with Pool(os.cpu_count(), initializer=_init, initargs=(args.kit, args.models)) as pool:
        results = sorted(pool.map(run_rounds, jobs), key=lambda r: r[0])
    rows, photo_of_round, face_of_row, first_rows = [], [], [], []
    count = 0
    for _, rounds, vectors, faces in results:
        start = 0
        for photo in rounds:
            n = per_photo[photo]
            if count >= args.faces:
                break
            first_rows.append(count)
            photo_of_round.append(photo)
            rows.append(vectors[start:start + n])
            face_of_row.extend(faces[start:start + n])
            start += n
            count += n
    vectors = np.concatenate(rows)
    for k, part in enumerate(np.array_split(np.arange(len(vectors)), args.chunks)):
        np.save(os.path.join(args.out, f"vectors-{k}.npy"), vectors[part])
    json.dump({"faces": meta["faces"], "rounds": [{"photo": p, "firstRow": f} for p, f in zip(photo_of_round, first_rows)], "count": len(vectors), "faceOfRow": face_of_row,
               "generator": "embed_augmented_crops.py (ONNX Runtime CPU, %d processes)" % os.cpu_count()}, open(os.path.join(args.out, "corpus.json"), "w"))
    print("faces", len(vectors), "rounds", len(first_rows))


if __name__ == "__main__":
    main()
