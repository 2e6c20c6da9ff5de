//! pandas index alignment between train and test, replayed on purpose. When a notebook assigns
//! a Series computed on train to a test column (`test['Age'] = train_groups.transform(...)`),
//! pandas aligns on the row index: test row i receives train row i's value, whatever passenger
//! that is. zlatankr's Titanic forest (LB 0.8278) scored with this bug in two columns, so a
//! faithful replay has to reproduce it.

use polars::prelude::*;

use kreplay_recipe::{params, Learns, StepColumns, StepSpec, Ty};

use super::{column, put, Build, Ctx, FitData, Fitted, Step, StepDef};
use crate::error::{Context, Result};

params! {
    struct AlignParams {
        column: String = required(
            Ty::Str,
            "the column test takes from train; test rows beyond train's length become missing",
        ),
    }
}

pub static ALIGN_FROM_TRAIN: StepDef = StepDef {
    spec: StepSpec {
        kind: "align_from_train",
        summary: "test row i takes train row i's value (pandas index alignment of a train Series assigned to test)",
        params: AlignParams::SPECS,
        learns: Learns::Always,
        columns: StepColumns::reads(&["column"]),
    },
    build: Build::Learning(|p, _| {
        let AlignParams { column } = AlignParams::read(p)?;
        Ok(Box::new(AlignFromTrain { column }))
    }),
};

#[derive(Clone)]
struct AlignFromTrain {
    column: String,
}

impl Step for AlignFromTrain {
    fn fit(&self, data: &FitData, _: &Ctx) -> Result<Box<dyn Fitted>> {
        let train = column(data.train, &self.column, "align_from_train")?
            .as_materialized_series()
            .clone();
        Ok(Box::new(Aligned { train }))
    }
}

struct Aligned {
    train: Series,
}

impl Fitted for Aligned {
    fn apply(&self, df: DataFrame, ctx: &Ctx) -> Result<DataFrame> {
        if ctx.training {
            return Ok(df);
        }
        let n = df.height();
        let what = || format!("align_from_train: column `{}`", self.train.name());
        let mut values = self.train.slice(0, n.min(self.train.len()));
        if values.len() < n {
            let missing =
                Series::full_null(values.name().clone(), n - values.len(), values.dtype());
            values.append(&missing).ctx(what)?;
        }
        put(df, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{test_col, test_run};
    use kreplay_recipe::Value;

    #[test]
    fn test_rows_take_train_rows_at_the_same_position() {
        let train = df!("id" => [1, 2, 3], "age" => [30.0, 40.0, 50.0], "y" => [0, 1, 0]).unwrap();
        let test = df!("id" => [7, 8, 9, 10], "age" => [1.0, 2.0, 3.0, 4.0]).unwrap();
        let set = [("column", Value::Str("age".into()))];
        let (train, test) = test_run(&ALIGN_FROM_TRAIN, &set, train, Some(test)).unwrap();
        assert_eq!(test_col(&train, "age"), vec![30.0, 40.0, 50.0]);
        let got = test_col(&test.unwrap(), "age");
        assert_eq!(&got[..3], &[30.0, 40.0, 50.0]);
        assert!(got[3].is_nan());
    }
}
