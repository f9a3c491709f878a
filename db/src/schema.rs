//! Tables, written to match `migrations/sqlite` and `migrations/postgres` (a test checks the two
//! trees agree). Columns of `WordText` hold the words of one domain enum (`words.rs`).

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    agencies (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        level -> WordText,
        created_at -> Timestamp,
        sms_reminders -> Bool,
        question_answer_days -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    users (id) {
        id -> Text,
        phone -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> WordText,
        agency_id -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
        phone_verified_at -> Nullable<Timestamp>,
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
    throttle (key) {
        key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    throttle_addresses (key, address) {
        key -> Text,
        address -> Text,
        last_failed_at -> Timestamp,
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
    use diesel::sql_types::*;
    use crate::words::WordText;

    procedures (code) {
        code -> Text,
        name -> Text,
        name_en -> Text,
        field -> Text,
        level -> WordText,
        agency -> Text,
        service_level -> Integer,
        processing_days -> Integer,
        fee_vnd -> BigInt,
        documents -> Text,
        result -> Text,
        steps -> Text,
        online_url -> Nullable<Text>,
        submission -> Nullable<Text>,
        retired_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    devices (token) {
        token -> Text,
        user_id -> Text,
        session_id -> Nullable<Text>,
        platform -> WordText,
        app_version -> Text,
        lang -> WordText,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    notification_mutes (user_id, kind) {
        user_id -> Text,
        kind -> WordText,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    push_outbox (id) {
        id -> Text,
        notification_id -> Text,
        device_token -> Text,
        status -> WordText,
        attempts -> Integer,
        due_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> agencies (agency_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::table! {
    web_sessions (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        csrf_token -> Text,
        last_seen_at -> Timestamp,
    }
}

diesel::joinable!(web_sessions -> sessions (session_id));

diesel::table! {
    agency_api_keys (id) {
        id -> Text,
        agency_id -> Text,
        key_hash -> Text,
        prefix -> Text,
        label -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    dossiers (code) {
        code -> Text,
        agency_id -> Text,
        procedure_code -> Text,
        applicant_name -> Text,
        applicant_phone -> Text,
        received_on -> Date,
        due_on -> Date,
        status -> Integer,
        status_at -> Timestamp,
        finished_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        due_reminded_at -> Nullable<Timestamp>,
        overdue_reminded_at -> Nullable<Timestamp>,
        channel -> WordText,
        origin -> WordText,
        unreceived_reminded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_applications (dossier_code) {
        dossier_code -> Text,
        submitted_by -> Nullable<Text>,
        application -> Text,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    dossier_files (id) {
        id -> Text,
        dossier_code -> Text,
        component_code -> Text,
        position -> Integer,
        file_type -> WordText,
        storage_key -> Text,
        byte_size -> BigInt,
        sha256 -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    dossier_slips (id) {
        id -> Text,
        dossier_code -> Text,
        form -> Integer,
        storage_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    dossier_requests (dossier_code, event_id) {
        dossier_code -> Text,
        event_id -> Text,
        components -> Text,
        reason -> Text,
        deadline -> Date,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_results (dossier_code) {
        dossier_code -> Text,
        storage_key -> Text,
        byte_size -> BigInt,
        sha256 -> Text,
        attached_at -> Timestamp,
    }
}

diesel::table! {
    agency_webhooks (agency_id) {
        agency_id -> Text,
        url -> Text,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    webhook_outbox (id) {
        id -> Text,
        agency_id -> Text,
        event -> WordText,
        dossier_code -> Text,
        body -> Text,
        status -> WordText,
        attempts -> Integer,
        due_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_sequences (agency_id, day) {
        agency_id -> Text,
        day -> Date,
        last_number -> BigInt,
    }
}

diesel::table! {
    dossier_events (dossier_code, event_id) {
        dossier_code -> Text,
        event_id -> Text,
        status -> Integer,
        occurred_at -> Timestamp,
        step -> Nullable<Text>,
        department -> Nullable<Text>,
        officer -> Nullable<Text>,
        note -> Nullable<Text>,
        reopens -> Bool,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    dossier_follows (user_id, dossier_code) {
        user_id -> Text,
        dossier_code -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> WordText,
        title_vi -> Text,
        body_vi -> Text,
        title_en -> Text,
        body_en -> Text,
        data -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    revisions (name) {
        name -> Text,
        revision -> BigInt,
    }
}

diesel::joinable!(agency_api_keys -> agencies (agency_id));
diesel::joinable!(dossiers -> agencies (agency_id));
diesel::joinable!(dossiers -> procedures (procedure_code));
diesel::joinable!(dossier_events -> dossiers (dossier_code));
diesel::joinable!(dossier_follows -> dossiers (dossier_code));
diesel::joinable!(dossier_follows -> users (user_id));
diesel::joinable!(dossier_applications -> dossiers (dossier_code));
diesel::joinable!(dossier_applications -> users (submitted_by));
diesel::joinable!(dossier_files -> dossiers (dossier_code));
diesel::joinable!(dossier_slips -> dossiers (dossier_code));
diesel::joinable!(dossier_results -> dossiers (dossier_code));
diesel::joinable!(agency_webhooks -> agencies (agency_id));
diesel::joinable!(webhook_outbox -> agency_webhooks (agency_id));
diesel::joinable!(dossier_requests -> dossiers (dossier_code));
diesel::joinable!(notifications -> users (user_id));

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    phone_codes (id) {
        id -> Text,
        purpose -> WordText,
        phone -> Text,
        user_id -> Nullable<Text>,
        code_hash -> Text,
        attempts -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    sms_outbox (id) {
        id -> Text,
        phone -> Text,
        purpose -> WordText,
        body -> Text,
        encoding -> WordText,
        segments -> Integer,
        dossier_code -> Nullable<Text>,
        covering_notification_id -> Nullable<Text>,
        opt_out_token -> Nullable<Text>,
        status -> WordText,
        attempts -> Integer,
        due_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        gateway -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        reported_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sms_opt_outs (phone) {
        phone -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(phone_codes -> users (user_id));
diesel::joinable!(sms_outbox -> notifications (covering_notification_id));
diesel::table! {
    categories (code) {
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        group_vi -> Text,
        group_en -> Text,
        sla_hours -> Integer,
        icon -> Text,
        nearby_radius_m -> Integer,
        questions -> Text,
        sort_order -> Integer,
        active -> Bool,
        keywords_vi -> Text,
        keywords_en -> Text,
    }
}

diesel::table! {
    areas (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        geometry -> Text,
        min_lat -> Double,
        max_lat -> Double,
        min_lon -> Double,
        max_lon -> Double,
        inside_lat -> Double,
        inside_lon -> Double,
        created_at -> Timestamp,
    }
}

diesel::table! {
    routing_rules (category_code, area_code) {
        category_code -> Text,
        area_code -> Text,
        agency_id -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    complaints (id) {
        id -> Text,
        category_code -> Text,
        description -> Text,
        lat -> Double,
        lon -> Double,
        address -> Nullable<Text>,
        area_code -> Nullable<Text>,
        agency_id -> Text,
        reporter_id -> Nullable<Text>,
        anonymous -> Bool,
        answers -> Text,
        status -> WordText,
        due_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        rating -> Nullable<Integer>,
        rating_comment -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
        follower_count -> Integer,
        me_too_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        open311_client_id -> Nullable<Text>,
        open311_token -> Nullable<Text>,
        media_url -> Nullable<Text>,
        due_reminded_at -> Nullable<Timestamp>,
        overdue_reminded_at -> Nullable<Timestamp>,
        cell -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    complaint_photos (id) {
        id -> Text,
        complaint_id -> Text,
        kind -> WordText,
        position -> Integer,
        display_key -> Text,
        thumbnail_key -> Text,
        width -> Integer,
        height -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    complaint_events (id) {
        id -> Text,
        complaint_id -> Text,
        event_type -> WordText,
        actor_id -> Nullable<Text>,
        actor_role -> WordText,
        agency_id -> Nullable<Text>,
        is_public -> Bool,
        status_after -> Nullable<WordText>,
        body -> Nullable<Text>,
        data -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    complaint_follows (user_id, complaint_id) {
        user_id -> Text,
        complaint_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    complaint_me_too (user_id, complaint_id) {
        user_id -> Text,
        complaint_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    open311_clients (id) {
        id -> Text,
        name -> Text,
        key_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        fingerprint -> Text,
        resource_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    overdue_digests (agency_id, day) {
        agency_id -> Text,
        day -> Date,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(devices -> users (user_id));
diesel::joinable!(push_outbox -> notifications (notification_id));
diesel::joinable!(complaints -> categories (category_code));
diesel::joinable!(complaints -> agencies (agency_id));
diesel::joinable!(complaints -> open311_clients (open311_client_id));
diesel::joinable!(complaint_photos -> complaints (complaint_id));
diesel::joinable!(complaint_events -> complaints (complaint_id));
diesel::joinable!(complaint_follows -> complaints (complaint_id));
diesel::joinable!(complaint_me_too -> complaints (complaint_id));

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    warnings (id) {
        id -> Text,
        kind -> WordText,
        severity -> WordText,
        title_vi -> Text,
        body_vi -> Text,
        title_en -> Nullable<Text>,
        body_en -> Nullable<Text>,
        polygon -> Nullable<Text>,
        min_lat -> Nullable<Double>,
        max_lat -> Nullable<Double>,
        min_lon -> Nullable<Double>,
        max_lon -> Nullable<Double>,
        valid_from -> Timestamp,
        valid_until -> Timestamp,
        cancelled_at -> Nullable<Timestamp>,
        version -> Integer,
        agency_id -> Nullable<Text>,
        issued_by -> Nullable<Text>,
        station_code -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    warning_areas (warning_id, area_code) {
        warning_id -> Text,
        area_code -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    user_areas (id) {
        id -> Text,
        user_id -> Text,
        label -> WordText,
        area_code -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(warning_areas -> warnings (warning_id));
diesel::joinable!(user_areas -> users (user_id));
diesel::joinable!(warnings -> agencies (agency_id));

diesel::table! {
    air_networks (id) {
        id -> Text,
        name -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    air_stations (code) {
        code -> Text,
        network_id -> Text,
        name -> Text,
        operator -> Text,
        kind -> WordText,
        lat -> Double,
        lon -> Double,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    air_observations (station_code, observed_at, parameter) {
        station_code -> Text,
        parameter -> WordText,
        observed_at -> Timestamp,
        value -> Double,
        received_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    air_hourly (station_code, hour) {
        station_code -> Text,
        hour -> Timestamp,
        aqi -> Integer,
        dominant -> WordText,
        sub_indices -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    air_daily (station_code, day) {
        station_code -> Text,
        day -> Date,
        aqi -> Integer,
        dominant -> WordText,
        sub_indices -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    cameras (id) {
        id -> Text,
        name -> Text,
        kind -> WordText,
        lat -> Double,
        lon -> Double,
        snapshot_url -> Text,
        stream_url -> Nullable<Text>,
        active -> Bool,
        working -> Bool,
        down_since -> Nullable<Timestamp>,
        failures -> Integer,
        last_failure_at -> Nullable<Timestamp>,
        last_snapshot_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(air_stations -> air_networks (network_id));
diesel::joinable!(air_observations -> air_stations (station_code));
diesel::joinable!(air_hourly -> air_stations (station_code));
diesel::joinable!(air_daily -> air_stations (station_code));

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    land_layers (kind) {
        kind -> WordText,
        layer_date -> Date,
        imported_at -> Timestamp,
        source_file -> Text,
        feature_count -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    land_parcels (seq) {
        seq -> BigInt,
        sheet -> Integer,
        parcel -> Integer,
        land_use -> WordText,
        feature -> Text,
        min_lat -> Double,
        max_lat -> Double,
        min_lon -> Double,
        max_lon -> Double,
    }
}

diesel::table! {
    land_zones (seq) {
        seq -> BigInt,
        zone -> Text,
        plan -> Text,
        decision -> Text,
        feature -> Text,
        min_lat -> Double,
        max_lat -> Double,
        min_lon -> Double,
        max_lon -> Double,
    }
}

diesel::table! {
    question_topics (code) {
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        agency_id -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::words::WordText;

    questions (id) {
        id -> Text,
        asker_id -> Nullable<Text>,
        agency_id -> Text,
        procedure_code -> Nullable<Text>,
        topic_code -> Nullable<Text>,
        title -> Text,
        body -> Text,
        status -> WordText,
        due_at -> Timestamp,
        attachment_key -> Nullable<Text>,
        attachment_type -> Nullable<WordText>,
        attachment_bytes -> Nullable<BigInt>,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        published -> Bool,
        public_title -> Nullable<Text>,
        public_body -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    question_transfers (id) {
        id -> Text,
        question_id -> Text,
        from_agency_id -> Text,
        to_agency_id -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(questions -> agencies (agency_id));
diesel::joinable!(question_topics -> agencies (agency_id));

diesel::allow_tables_to_appear_in_same_query!(
    agencies,
    phone_codes,
    sms_outbox,
    sms_opt_outs,
    users,
    sessions,
    refresh_tokens,
    web_sessions,
    throttle,
    throttle_addresses,
    signing_keys,
    procedures,
    agency_api_keys,
    dossiers,
    dossier_events,
    dossier_follows,
    dossier_applications,
    dossier_files,
    dossier_sequences,
    dossier_slips,
    dossier_requests,
    agency_webhooks,
    dossier_results,
    webhook_outbox,
    notifications,
    revisions,
    categories,
    areas,
    routing_rules,
    complaints,
    complaint_photos,
    complaint_events,
    complaint_follows,
    complaint_me_too,
    open311_clients,
    devices,
    notification_mutes,
    push_outbox,
    overdue_digests,
    idempotency_keys,
    warnings,
    warning_areas,
    user_areas,
    air_networks,
    air_stations,
    cameras,
    air_observations,
    air_hourly,
    air_daily,
    land_layers,
    land_parcels,
    question_topics,
    questions,
    question_transfers,
    land_zones,
);
