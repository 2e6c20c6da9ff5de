//! The numeric feature matrix models read: row-major f64, with the column names.

#[derive(Debug, Clone)]
pub struct Matrix {
    pub data: Vec<f64>,
    pub rows: usize,
    pub cols: usize,
    pub names: Vec<String>,
}

impl Matrix {
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    /// The rows at `idx`, in that order.
    pub fn take(&self, idx: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(idx.len() * self.cols);
        for &i in idx {
            data.extend_from_slice(self.row(i));
        }
        Matrix {
            data,
            rows: idx.len(),
            cols: self.cols,
            names: self.names.clone(),
        }
    }

    /// Moves the buffer into linfa's ndarray (0.16) without copying it.
    pub fn into_ndarray(self) -> ndarray::Array2<f64> {
        ndarray::Array2::from_shape_vec((self.rows, self.cols), self.data)
            .expect("rows * cols == data.len() by construction")
    }
}

/// Rows of a matrix, all of them or a chosen few in a chosen order (a fold's), read in place:
/// cross-validation hands each fold's training rows to a model as indices into one shared
/// matrix, not as a copy of them.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    matrix: &'a Matrix,
    idx: Option<&'a [usize]>,
}

impl<'a> Rows<'a> {
    /// Every row of `matrix`.
    pub fn all(matrix: &'a Matrix) -> Rows<'a> {
        Rows { matrix, idx: None }
    }

    /// The rows of `matrix` at `idx`, in that order.
    pub fn of(matrix: &'a Matrix, idx: &'a [usize]) -> Rows<'a> {
        Rows {
            matrix,
            idx: Some(idx),
        }
    }

    pub fn len(&self) -> usize {
        self.idx.map_or(self.matrix.rows, <[usize]>::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn cols(&self) -> usize {
        self.matrix.cols
    }

    pub fn names(&self) -> &'a [String] {
        &self.matrix.names
    }

    /// The `i`-th of these rows.
    pub fn row(&self, i: usize) -> &'a [f64] {
        match self.idx {
            Some(idx) => self.matrix.row(idx[i]),
            None => self.matrix.row(i),
        }
    }

    /// These rows as a matrix of their own, for solvers that read one contiguous matrix:
    /// borrowed when they are all of its rows in order, copied otherwise.
    pub fn matrix(&self) -> std::borrow::Cow<'a, Matrix> {
        match self.idx {
            None => std::borrow::Cow::Borrowed(self.matrix),
            Some(idx) => std::borrow::Cow::Owned(self.matrix.take(idx)),
        }
    }
}
