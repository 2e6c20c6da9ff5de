"""Optuna's TPE (and random search) on the functions of crates/recipe/examples/tpe_bench.rs,
with the same spaces: for each seed, the best value after each trial, as `seed,trial,best`.
Usage: python tpe_optuna.py <function> <trials> <seeds> <tpe|random>"""
import math
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    b, c, s = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - s) * math.cos(x1) + 10


def tree(t):
    d = t.suggest_int("max_depth", 2, 9)
    l = t.suggest_int("min_samples_leaf", 1, 20)
    c = t.suggest_categorical("criterion", ["gini", "entropy"])
    return (d - 6) ** 2 + 0.1 * (l - 5) ** 2 + (0.5 if c == "gini" else 0.0)


def log(t):
    c = t.suggest_float("C", 0.001, 1000, log=True)
    return (math.log10(c) - 1) ** 2


def main():
    name, trials, seeds, method = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    objective = {"branin": branin, "tree": tree, "log": log}[name]
    print("seed,trial,best")
    for seed in range(seeds):
        sampler = (
            optuna.samplers.TPESampler(seed=seed)
            if method == "tpe"
            else optuna.samplers.RandomSampler(seed=seed)
        )
        study = optuna.create_study(direction="minimize", sampler=sampler)
        best = math.inf
        for trial in range(1, trials + 1):
            study.optimize(objective, n_trials=1)
            best = min(best, study.trials[-1].value)
            print(f"{seed},{trial},{best}")


main()
