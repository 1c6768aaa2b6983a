//! The HTTP side of JSON-RPC: every request is a POST of a JSON body to
//! `/`, answered with `200` and a JSON body (`204` with none when the body
//! held only notifications).

use super::{RpcContext, handle};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::sync::Arc;

/// Serves JSON-RPC on `listener` until the task is dropped or the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, context: Arc<RpcContext>) -> std::io::Result<()> {
    let app = Router::new().route("/", post(answer)).with_state(context);
    axum::serve(listener, app).await
}

async fn answer(State(context): State<Arc<RpcContext>>, body: Bytes) -> Response {
    match handle(&context, &body) {
        Some(reply) => ([(header::CONTENT_TYPE, "application/json")], reply.to_string()).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}
