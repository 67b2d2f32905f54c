"""PyTorch CPU on the bench's measures (bench/js/run.js runs it as torch-cpu).

The same networks as bench/gobench (the engine's DefaultCNN and DefaultMLP),
batch 64, float32, one thread; a training step is zero_grad, forward, mean
cross-entropy, backward and plain SGD (lr 0.01), an inference step a forward
pass without gradients. Prints, per measure,

    bench system=NAME net=cnn|mlp mode=train|infer examples_per_s=N

and examples_per_s=unsupported (with a note on stderr) when torch is missing.
Flags as gobench: -system, -seconds, -warmup, -longstep, -only.
"""

import argparse
import sys
import time

BATCH = 64
CLASSES = 10
MEASURES = ["cnn-train", "cnn-infer", "mlp-train"]


def parse_args():
    p = argparse.ArgumentParser(prefix_chars="-")
    p.add_argument("-system", default="torch-cpu")
    p.add_argument("-seconds", type=float, default=2)
    p.add_argument("-warmup", type=float, default=0.5)
    p.add_argument("-longstep", type=float, default=0)
    p.add_argument("-only", default="")
    return p.parse_args()


def line(system, measure, value):
    net, mode = measure.split("-")
    return f"bench system={system} net={net} mode={mode} examples_per_s={value}"


def nets(nn):
    """The engine's DefaultCNN and DefaultMLP."""
    cnn = nn.Sequential(
        nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(10, 20, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(320, 100), nn.ReLU(), nn.Linear(100, CLASSES),
    )
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, CLASSES))
    return cnn, mlp


def measure(step, warmup, seconds, longstep):
    """Examples/s over `seconds` after `warmup` (each at least one step); a
    first step slower than longstep (if > 0) is itself the measurement."""
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    if longstep > 0 and first >= longstep:
        return BATCH / first
    while time.perf_counter() - t0 < warmup:
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        el = time.perf_counter() - t0
        if el >= seconds:
            return n * BATCH / el


def main():
    args = parse_args()
    todo = args.only.split(",") if args.only else MEASURES
    try:
        import torch
        from torch import nn
    except ImportError as e:
        print(f"torchbench: unsupported: PyTorch not installed ({e}); apt-get install python3-torch libopenblas0-pthread", file=sys.stderr)
        for m in todo:
            print(line(args.system, m, "unsupported"))
        return
    torch.set_num_threads(1)
    torch.manual_seed(1)
    cnn, mlp = nets(nn)
    x = (torch.rand(BATCH, 1, 28, 28) - 0.1307) / 0.3081
    y = torch.randint(0, CLASSES, (BATCH,))
    loss_fn = nn.CrossEntropyLoss()

    for m in todo:
        if m not in MEASURES:
            sys.exit(f"torchbench: unknown measure {m!r}")
        model = cnn if m.startswith("cnn") else mlp
        if m.endswith("-train"):
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=0.01)

            def step(model=model, opt=opt):
                opt.zero_grad()
                loss_fn(model(x), y).backward()
                opt.step()
        else:
            model.eval()

            def step(model=model):
                with torch.no_grad():
                    model(x)
        eps = measure(step, args.warmup, args.seconds, args.longstep)
        print(line(args.system, m, f"{eps:.1f}"), flush=True)


if __name__ == "__main__":
    main()
