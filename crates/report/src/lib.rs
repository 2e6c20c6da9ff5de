//! kreplay's reports: one self-contained HTML file per run or sweep, to look at rather than
//! read. Charts are inline SVG drawn with plotters (its SVG backend: no font files, no
//! bitmap encoders); the page has no script and fetches nothing, so it opens offline in any
//! browser and can be mailed or committed as it is.
//!
//! * [`run`]: a run's page (provenance, parameters, steps, fold scores, out-of-fold evidence,
//!   importances, timings), from a [`run::RunPage`] the CLI fills from a replay;
//! * [`sweep`]: a sweep's page (ranked trials, progress, score by parameter, parallel
//!   coordinates, parameter importance), from a [`sweep::SweepPage`];
//! * [`charts`] and [`html`]: the drawing and the page around it. Text from recipes, data or
//!   run records is escaped before it reaches the page.

pub mod charts;
pub mod html;
pub mod run;
pub mod sweep;
