//! kreplay's TPE on published test functions, for `bench/tpe.sh` (which runs Optuna's TPE and
//! random search on the same functions and spaces): for each seed, the best value found after
//! each number of trials. Usage: `tpe_bench <function> <trials> <seeds>`; prints
//! `seed,trial,best` lines.

use kreplay_recipe::sweep::SweepParam;
use kreplay_recipe::tpe::{suggest, Observation};
use rand::SeedableRng;

/// A function of a trial's values (as written), minimised.
type Objective = fn(&[String]) -> f64;

/// The search space and the function of each benchmark.
fn problem(name: &str) -> (Vec<SweepParam>, Objective) {
    let p = |s: &str| SweepParam::parse(s).expect("valid sweep parameter");
    match name {
        // Branin-Hoo, minimum 0.397887.
        "branin" => (
            vec![p("x1=interval(-5, 10)"), p("x2=interval(0, 15)")],
            |v| {
                let (x1, x2) = (v[0].parse::<f64>().unwrap(), v[1].parse::<f64>().unwrap());
                let pi = std::f64::consts::PI;
                let b = 5.1 / (4.0 * pi * pi);
                let c = 5.0 / pi;
                let t = 1.0 / (8.0 * pi);
                (x2 - b * x1 * x1 + c * x1 - 6.0).powi(2) + 10.0 * (1.0 - t) * x1.cos() + 10.0
            },
        ),
        // The tree space: two integers and a category, minimum 0 at (6, 5, entropy).
        "tree" => (
            vec![
                p("max_depth=int(interval(2, 9))"),
                p("min_samples_leaf=int(interval(1, 20))"),
                p("criterion=choice(gini, entropy)"),
            ],
            |v| {
                let d = v[0].parse::<f64>().unwrap();
                let l = v[1].parse::<f64>().unwrap();
                (d - 6.0).powi(2) + 0.1 * (l - 5.0).powi(2) + if v[2] == "gini" { 0.5 } else { 0.0 }
            },
        ),
        // A regularisation strength on a log scale, minimum 0 at C = 10.
        "log" => (vec![p("C=tag(log, interval(0.001, 1000))")], |v| {
            (v[0].parse::<f64>().unwrap().log10() - 1.0).powi(2)
        }),
        other => panic!("unknown function {other}: branin, tree, log"),
    }
}

/// `tpe_bench fixed <history.csv> <n>`: the tally of `n` suggestions (seeds 0..n) for the tree
/// space after the history in the file (`depth,leaf,criterion,value` lines), to hold the
/// sampler's distribution against Optuna's on the same history.
fn fixed(file: &str, n: u64) {
    let (params, _) = problem("tree");
    let history: Vec<Observation> = std::fs::read_to_string(file)
        .expect("a history file")
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Observation {
                values: f[..3].iter().map(|s| s.to_string()).collect(),
                score: f[3].parse().expect("a value"),
            }
        })
        .collect();
    let mut tally = vec![std::collections::BTreeMap::<String, usize>::new(); 3];
    for seed in 0..n {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for (t, v) in tally
            .iter_mut()
            .zip(suggest(&params, &history, false, &mut rng))
        {
            *t.entry(v).or_default() += 1;
        }
    }
    for (name, t) in ["depth", "leaf", "crit"].iter().zip(&tally) {
        println!("{name} {t:?}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("fixed") {
        fixed(&args[2], args[3].parse().expect("a count"));
        return;
    }
    let name = args.get(1).map_or("branin", String::as_str);
    let trials: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(30);
    let seeds: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20);
    let (params, f) = problem(name);
    println!("seed,trial,best");
    for seed in 0..seeds {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut history: Vec<Observation> = Vec::new();
        let mut best = f64::INFINITY;
        for trial in 1..=trials {
            let values = suggest(&params, &history, false, &mut rng);
            let score = f(&values);
            best = best.min(score);
            history.push(Observation { values, score });
            println!("{seed},{trial},{best}");
        }
    }
}
