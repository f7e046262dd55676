//! Webhooks as Meta sends them, built for one business number and one
//! user: what the simulator and `replay` deliver.

use super::*;

/// The business side of a webhook: the WABA and the number the call is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    pub waba_id: String,
    pub phone_number_id: String,
    pub display_phone_number: String,
}

/// The WhatsApp user on the other end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub wa_id: String,
    pub name: String,
}

impl Business {
    fn envelope(&self, value: Value) -> Envelope {
        Envelope {
            object: "whatsapp_business_account".into(),
            entry: vec![Entry {
                id: self.waba_id.clone(),
                changes: vec![Change {
                    value,
                    field: "calls".into(),
                }],
            }],
        }
    }

    fn value(
        &self,
        contacts: Vec<Contact>,
        calls: Vec<Call>,
        statuses: Vec<Status>,
        errors: Vec<CallError>,
    ) -> Value {
        Value {
            messaging_product: Some("whatsapp".into()),
            metadata: Some(Metadata {
                display_phone_number: self.display_phone_number.clone(),
                phone_number_id: self.phone_number_id.clone(),
            }),
            contacts,
            calls,
            statuses,
            errors,
        }
    }

    fn call(&self, id: &str, user: &User, event: &str, timestamp: i64, direction: &str) -> Call {
        let (from, to) = match direction {
            "USER_INITIATED" => (&user.wa_id, &self.display_phone_number),
            _ => (&self.display_phone_number, &user.wa_id),
        };
        Call {
            id: id.to_string(),
            from: Some(from.clone()),
            to: Some(to.clone()),
            event: event.into(),
            timestamp: Some(Loose::Text(timestamp.to_string())),
            direction: Some(direction.into()),
            session: None,
            connection: None,
            start_time: None,
            end_time: None,
            duration: None,
            status: None,
            errors: vec![],
            biz_opaque_callback_data: None,
            deeplink_payload: None,
            cta_payload: None,
        }
    }

    /// A user-initiated `connect` carrying WhatsApp's offer, shaped as the real one.
    pub fn connect_offer(
        &self,
        user: &User,
        call_id: &str,
        timestamp: i64,
        offer: &str,
    ) -> Envelope {
        let mut call = self.call(call_id, user, "connect", timestamp, "USER_INITIATED");
        call.session = Some(Session {
            sdp: Some(offer.to_string()),
            sdp_type: Some("offer".into()),
        });
        let contact = Contact {
            profile: Some(Profile {
                name: user.name.clone(),
            }),
            wa_id: Some(user.wa_id.clone()),
        };
        self.envelope(self.value(vec![contact], vec![call], vec![], vec![]))
    }

    /// A business-initiated `connect` carrying WhatsApp's answer.
    pub fn connect_answer(
        &self,
        user: &User,
        call_id: &str,
        timestamp: i64,
        answer: &str,
        opaque: Option<&str>,
    ) -> Envelope {
        let mut call = self.call(call_id, user, "connect", timestamp, "BUSINESS_INITIATED");
        call.session = Some(Session {
            sdp: Some(answer.to_string()),
            sdp_type: Some("answer".into()),
        });
        call.biz_opaque_callback_data = opaque.map(str::to_string);
        let contact = Contact {
            profile: None,
            wa_id: Some(user.wa_id.clone()),
        };
        self.envelope(self.value(vec![contact], vec![call], vec![], vec![]))
    }

    /// `terminate`: times and duration only when the call was picked up; the
    /// error both in the call and in the value, as the real one has it.
    #[allow(clippy::too_many_arguments)]
    pub fn terminate(
        &self,
        user: &User,
        call_id: &str,
        direction: &str,
        timestamp: i64,
        status: &str,
        picked_up: Option<(i64, i64)>,
        error: Option<(i64, &str)>,
    ) -> Envelope {
        let mut call = self.call(call_id, user, "terminate", timestamp, direction);
        if let Some((start, end)) = picked_up {
            call.start_time = Some(Loose::Text(start.to_string()));
            call.end_time = Some(Loose::Text(end.to_string()));
            call.duration = Some(Loose::Number(end - start));
        }
        call.status = Some(OneOrMany::One(status.into()));
        let errors: Vec<CallError> = error
            .map(|(code, message)| CallError {
                code,
                title: Some(message.to_string()),
                message: Some(message.to_string()),
                href: None,
                error_data: Some(serde_json::json!({"details": message.strip_suffix(" Please try again").unwrap_or(message)})),
            })
            .into_iter()
            .collect();
        call.errors = errors.clone();
        let contact = Contact {
            profile: Some(Profile {
                name: user.name.clone(),
            }),
            wa_id: Some(user.wa_id.clone()),
        };
        self.envelope(self.value(vec![contact], vec![call], vec![], errors))
    }

    /// A business-initiated call's RINGING / ACCEPTED / REJECTED.
    pub fn status(
        &self,
        user: &User,
        call_id: &str,
        timestamp: i64,
        status: &str,
        opaque: Option<&str>,
    ) -> Envelope {
        let s = Status {
            id: call_id.to_string(),
            timestamp: Some(Loose::Text(timestamp.to_string())),
            kind: Some("call".into()),
            status: status.into(),
            recipient_id: Some(user.wa_id.clone()),
            biz_opaque_callback_data: opaque.map(str::to_string),
        };
        self.envelope(self.value(vec![], vec![], vec![s], vec![]))
    }
}
