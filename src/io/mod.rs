//! Thin shells around the pure core: each owns one external resource
//! (sockets, a WebRTC peer, an HTTP server or client, an audio device) and
//! speaks core types at its edge.

pub mod answerer;
pub mod audio;
pub mod bridge;
pub mod demo;
pub mod direct;
pub mod farend;
pub mod graph_client;
pub mod http;
pub mod lean;
pub mod listen;
pub mod media;
pub mod openai;
pub mod outfile;
pub mod replay;
pub mod rtc;
pub mod serve;
pub mod sim;
pub mod wav;
pub mod webhook_server;
