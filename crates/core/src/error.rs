//! Errors of the numeric core: a model's parameters or rows it cannot fit on, named.

use kreplay_recipe::RecipeError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter the model kind rejects, located in the recipe.
    #[error(transparent)]
    Recipe(#[from] RecipeError),

    /// Rows or columns the model cannot use (`context` names them).
    #[error("{context}: {message}")]
    Data { context: String, message: String },

    #[error("model {model}: {message}")]
    Model { model: String, message: String },
}

impl Error {
    pub fn data(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Data {
            context: context.into(),
            message: message.into(),
        }
    }

    pub fn model(model: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Model {
            model: model.into(),
            message: message.into(),
        }
    }
}
