//! Tables, written to match `migrations/sqlite` and `migrations/postgres` (a test checks the two
//! trees agree).

diesel::table! {
    agencies (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        level -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        phone -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        agency_id -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (id) {
        id -> Text,
        private_key_pem -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    procedures (code) {
        code -> Text,
        name -> Text,
        field -> Text,
        level -> Text,
        agency -> Text,
        service_level -> Integer,
        processing_days -> Integer,
        fee_vnd -> BigInt,
        documents -> Text,
        result -> Text,
        steps -> Text,
        online_url -> Nullable<Text>,
        retired_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(users -> agencies (agency_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(
    agencies,
    users,
    sessions,
    refresh_tokens,
    login_throttle,
    signing_keys,
    procedures,
);
