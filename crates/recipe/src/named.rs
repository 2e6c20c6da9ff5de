//! Enumerations whose variants have names in recipe files (`task = "binary"`): one list of
//! (variant, name) pairs gives the enum, its `NAMES` for parameter definitions and
//! did-you-mean, `name`, `parse` and `Display`, so a name is spelt once.

/// An enumeration whose variants recipes write by name; [`named_enum!`] implements it, and
/// [`Params::named`](crate::Params::named) reads a parameter as one.
pub trait Named: Sized + Copy + 'static {
    /// Every name a recipe may write, in the order declared.
    const NAMES: &'static [&'static str];

    /// The variant a recipe's name stands for (exact spelling).
    fn parse(name: &str) -> Option<Self>;
}

/// Declares a `Copy` enum whose variants are written in recipes as the given names.
///
/// ```
/// kreplay_recipe::named_enum! {
///     /// How a step is shown.
///     pub enum Shade { Light = "light", Dark = "dark" }
/// }
/// assert_eq!(Shade::NAMES, ["light", "dark"]);
/// assert_eq!(Shade::parse("dark"), Some(Shade::Dark));
/// assert_eq!(Shade::Light.to_string(), "light");
/// assert_eq!(Shade::parse("Dark"), None);
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Variant:ident = $name:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $Enum {
            $( $(#[$vmeta])* $Variant ),+
        }

        // Not every enumeration uses every generated item.
        #[allow(dead_code)]
        impl $Enum {
            /// Every variant, in the order declared.
            pub const ALL: &'static [$Enum] = &[$($Enum::$Variant),+];
            /// Every name a recipe may write, in the order declared.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The name a recipe writes.
            pub fn name(self) -> &'static str {
                match self {
                    $($Enum::$Variant => $name),+
                }
            }

            /// The variant a recipe's name stands for (exact spelling).
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($name => Some($Enum::$Variant),)+
                    _ => None,
                }
            }
        }

        impl $crate::named::Named for $Enum {
            const NAMES: &'static [&'static str] = $Enum::NAMES;

            fn parse(name: &str) -> Option<Self> {
                $Enum::parse(name)
            }
        }

        impl std::fmt::Display for $Enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::sections::{Inverse, Metric, PublishedKind, Scale, SchemeKind, Task};
    use crate::FitScope;

    /// Every name parses back to its variant, and no two variants share a name.
    fn round_trips<E: Copy + PartialEq + std::fmt::Debug>(
        all: &[E],
        names: &[&str],
        name: fn(E) -> &'static str,
        parse: fn(&str) -> Option<E>,
    ) {
        assert_eq!(all.len(), names.len());
        for (v, n) in all.iter().zip(names) {
            assert_eq!(name(*v), *n);
            assert_eq!(parse(n), Some(*v));
            assert_eq!(names.iter().filter(|m| *m == n).count(), 1, "{n} twice");
        }
        assert_eq!(parse("no such name"), None);
    }

    #[test]
    fn the_recipe_enumerations_round_trip() {
        round_trips(Task::ALL, Task::NAMES, Task::name, Task::parse);
        round_trips(Metric::ALL, Metric::NAMES, Metric::name, Metric::parse);
        round_trips(Scale::ALL, Scale::NAMES, Scale::name, Scale::parse);
        round_trips(Inverse::ALL, Inverse::NAMES, Inverse::name, Inverse::parse);
        round_trips(
            SchemeKind::ALL,
            SchemeKind::NAMES,
            SchemeKind::name,
            SchemeKind::parse,
        );
        round_trips(
            FitScope::ALL,
            FitScope::NAMES,
            FitScope::name,
            FitScope::parse,
        );
        let published = PublishedKind::ALL;
        round_trips(
            published,
            PublishedKind::NAMES,
            PublishedKind::name,
            PublishedKind::parse,
        );
        assert_eq!(Metric::RmseLog.to_string(), "rmse_log");
        let param = |value: &str| crate::Param {
            name: "task".into(),
            value: crate::Value::Str(value.into()),
            loc: crate::Loc::Unknown,
            explicit: true,
        };
        let p = crate::Params::new("[data]", vec![param("multiclass")]);
        assert_eq!(p.named::<Task>("task").unwrap(), Task::Multiclass);
        let p = crate::Params::new("[data]", vec![param("binar")]);
        let e = p.named::<Task>("task").unwrap_err().to_string();
        assert!(
            e.contains("expected one of binary, multiclass, regression"),
            "{e}"
        );
        assert_eq!(FitScope::TrainTest.to_string(), "train+test");
    }
}
