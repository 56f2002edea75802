//! `FormInput<T>`: axum's `Form` whose rejections (wrong content type, undecodable body) become
//! a localized `VALIDATION_ERROR` page instead of plain text.

use axum::Form;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::AppError;

/// A URL-encoded form body parsed into `T`.
pub struct FormInput<T>(pub T);

impl<S, T> FromRequest<S> for FormInput<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(req, state).await {
            Ok(Form(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}
