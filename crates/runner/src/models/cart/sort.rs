//! scikit-learn's `simultaneous_sort` with three-way partitioning (`sklearn/utils/_sorting.pyx`:
//! introsort with a median-of-three pivot, heapsort past `2·log2(n)` levels, insertion sort
//! below 16 elements), sorting a node's feature values and its sample indices together.
//!
//! It is not stable, so the order of samples with equal values is whatever this algorithm
//! leaves; that order is the order a node's children later sum their targets in. Replaying
//! it step for step is what makes a regression tree's sums, and so its leaves, equal to
//! scikit-learn's to the last bit.

/// Sorts `values` ascending, moving `indices` with them.
pub fn simultaneous_sort(values: &mut [f32], indices: &mut [usize]) {
    let n = values.len();
    if n == 0 {
        return;
    }
    let maxd = 2 * ((n as f64).log2() as usize);
    introsort_3way(values, indices, maxd);
}

fn swap(values: &mut [f32], indices: &mut [usize], i: usize, j: usize) {
    values.swap(i, j);
    indices.swap(i, j);
}

fn introsort_3way(mut values: &mut [f32], mut indices: &mut [usize], mut maxd: usize) {
    while values.len() > 15 {
        if maxd == 0 {
            heapsort(values, indices);
            return;
        }
        maxd -= 1;
        let n = values.len();
        let pivot = median3(values);
        let (mut i, mut l, mut r) = (0, 0, n);
        while i < r {
            if values[i] < pivot {
                swap(values, indices, i, l);
                i += 1;
                l += 1;
            } else if values[i] > pivot {
                r -= 1;
                swap(values, indices, i, r);
            } else {
                i += 1;
            }
        }
        // values[..l] < pivot, values[l..r] == pivot, values[r..] > pivot.
        let (left_v, rest_v) = std::mem::take(&mut values).split_at_mut(l);
        let (left_i, rest_i) = std::mem::take(&mut indices).split_at_mut(l);
        introsort_3way(left_v, left_i, maxd);
        values = &mut rest_v[r - l..];
        indices = &mut rest_i[r - l..];
    }
    insertion_sort(values, indices);
}

/// Bentley and McIlroy's median of the first, middle and last values.
fn median3(v: &[f32]) -> f32 {
    let n = v.len();
    let (a, b, c) = (v[0], v[n / 2], v[n - 1]);
    if a < b {
        if b < c {
            b
        } else if a < c {
            c
        } else {
            a
        }
    } else if b < c {
        if a < c {
            a
        } else {
            c
        }
    } else {
        b
    }
}

fn heapsort(values: &mut [f32], indices: &mut [usize]) {
    let n = values.len();
    // n > 15 here, so the heap has a root with children.
    let mut start = (n - 2) / 2;
    loop {
        sift_down(values, indices, start, n);
        if start == 0 {
            break;
        }
        start -= 1;
    }
    let mut end = n - 1;
    while end > 0 {
        swap(values, indices, 0, end);
        sift_down(values, indices, 0, end);
        end -= 1;
    }
}

fn sift_down(values: &mut [f32], indices: &mut [usize], start: usize, end: usize) {
    let mut root = start;
    loop {
        let child = root * 2 + 1;
        let mut maxind = root;
        if child < end && values[maxind] < values[child] {
            maxind = child;
        }
        if child + 1 < end && values[maxind] < values[child + 1] {
            maxind = child + 1;
        }
        if maxind == root {
            break;
        }
        swap(values, indices, root, maxind);
        root = maxind;
    }
}

fn insertion_sort(values: &mut [f32], indices: &mut [usize]) {
    for i in 1..values.len() {
        let (v, idx) = (values[i], indices[i]);
        let mut j = i;
        while j > 0 && values[j - 1] > v {
            values[j] = values[j - 1];
            indices[j] = indices[j - 1];
            j -= 1;
        }
        values[j] = v;
        indices[j] = idx;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_with_indices_and_many_ties() {
        // Enough values for the quicksort part, with ties and a pattern that drives it deep.
        let mut values: Vec<f32> = (0..500).map(|i| ((i * 7919) % 13) as f32).collect();
        values.extend((0..200).map(|i| (200 - i) as f32 * 0.5));
        let original = values.clone();
        let mut idx: Vec<usize> = (0..values.len()).collect();
        simultaneous_sort(&mut values, &mut idx);
        assert!(values.windows(2).all(|w| w[0] <= w[1]));
        for (v, i) in values.iter().zip(&idx) {
            assert_eq!(*v, original[*i]);
        }
        let mut seen = idx.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..original.len()).collect::<Vec<_>>());
    }

    #[test]
    fn heapsort_sorts() {
        let mut v: Vec<f32> = (0..40).map(|i| ((i * 31) % 17) as f32).collect();
        let mut idx: Vec<usize> = (0..40).collect();
        heapsort(&mut v, &mut idx);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
    }
}
