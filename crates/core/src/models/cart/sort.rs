//! scikit-learn's `simultaneous_sort` with three-way partitioning (`sklearn/utils/_sorting.pyx`:
//! introsort with a median-of-three pivot, heapsort past `2·log2(n)` levels, insertion sort
//! below 16 elements), sorting a node's feature values and its sample indices together.
//!
//! It is not stable, so the order of samples with equal values is whatever this algorithm
//! leaves; that order is the order a node's children later sum their targets in. Replaying
//! it step for step is what makes a regression tree's sums, and so its leaves, equal to
//! scikit-learn's to the last bit.

/// A feature value and its sample index in one word (value bits high, index low), so that the
/// sort moves one array, not two. Only the value is compared, as scikit-learn compares its
/// `float32` feature values (so -0.0 and 0.0 are equal).
#[derive(Clone, Copy)]
pub struct Keyed(u64);

impl Keyed {
    pub fn new(value: f32, index: u32) -> Keyed {
        Keyed(u64::from(value.to_bits()) << 32 | u64::from(index))
    }

    #[inline]
    pub fn value(self) -> f32 {
        f32::from_bits((self.0 >> 32) as u32)
    }

    pub fn index(self) -> u32 {
        self.0 as u32
    }
}

/// Sorts `values` ascending, moving `indices` with them (indices below 2^32).
#[cfg(test)]
pub fn simultaneous_sort(values: &mut [f32], indices: &mut [usize]) {
    let mut items: Vec<Keyed> = values
        .iter()
        .zip(indices.iter())
        .map(|(&v, &i)| Keyed::new(v, i as u32))
        .collect();
    sort(&mut items);
    for ((v, i), item) in values.iter_mut().zip(indices.iter_mut()).zip(&items) {
        *v = item.value();
        *i = item.index() as usize;
    }
}

/// `simultaneous_sort` of scikit-learn on (value, index) pairs.
pub fn sort(items: &mut [Keyed]) {
    let n = items.len();
    if n == 0 {
        return;
    }
    let maxd = 2 * ((n as f64).log2() as usize);
    introsort_3way(items, maxd);
}

fn introsort_3way(mut items: &mut [Keyed], mut maxd: usize) {
    while items.len() > 15 {
        if maxd == 0 {
            heapsort(items);
            return;
        }
        maxd -= 1;
        let n = items.len();
        let pivot = median3(items);
        let (mut i, mut l, mut r) = (0, 0, n);
        while i < r {
            let v = items[i].value();
            if v < pivot {
                items.swap(i, l);
                i += 1;
                l += 1;
            } else if v > pivot {
                r -= 1;
                items.swap(i, r);
            } else {
                i += 1;
            }
        }
        // items[..l] < pivot, items[l..r] == pivot, items[r..] > pivot.
        let (left, rest) = std::mem::take(&mut items).split_at_mut(l);
        introsort_3way(left, maxd);
        items = &mut rest[r - l..];
    }
    insertion_sort(items);
}

/// Bentley and McIlroy's median of the first, middle and last values.
fn median3(v: &[Keyed]) -> f32 {
    let n = v.len();
    let (a, b, c) = (v[0].value(), v[n / 2].value(), v[n - 1].value());
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

fn heapsort(items: &mut [Keyed]) {
    let n = items.len();
    // n > 15 here, so the heap has a root with children.
    let mut start = (n - 2) / 2;
    loop {
        sift_down(items, start, n);
        if start == 0 {
            break;
        }
        start -= 1;
    }
    let mut end = n - 1;
    while end > 0 {
        items.swap(0, end);
        sift_down(items, 0, end);
        end -= 1;
    }
}

fn sift_down(items: &mut [Keyed], start: usize, end: usize) {
    let mut root = start;
    loop {
        let child = root * 2 + 1;
        let mut maxind = root;
        if child < end && items[maxind].value() < items[child].value() {
            maxind = child;
        }
        if child + 1 < end && items[maxind].value() < items[child + 1].value() {
            maxind = child + 1;
        }
        if maxind == root {
            break;
        }
        items.swap(root, maxind);
        root = maxind;
    }
}

fn insertion_sort(items: &mut [Keyed]) {
    for i in 1..items.len() {
        let item = items[i];
        let v = item.value();
        let mut j = i;
        while j > 0 && items[j - 1].value() > v {
            items[j] = items[j - 1];
            j -= 1;
        }
        items[j] = item;
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
        let mut items: Vec<Keyed> = v
            .iter()
            .enumerate()
            .map(|(i, &x)| Keyed::new(x, i as u32))
            .collect();
        heapsort(&mut items);
        v = items.iter().map(|k| k.value()).collect();
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
    }
}
