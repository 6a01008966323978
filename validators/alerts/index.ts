export { buildAlertChannels, type ChannelOptions } from "./channels";
export { ALERT_STATE_NAME, AlertDispatcher, type AlertPolicy, type AlertStateStore, DEFAULT_ALERT_POLICY } from "./dispatcher";
export { type FetchFn, postJson, WEBHOOK_TIMEOUT_MS } from "./http";
export { alertText, alertTitle, formatCheck, formatValues, snsSubject } from "./message";
export { DEFAULT_PAGERDUTY_EVENTS_URL, PagerDutyChannel, type PagerDutyEvent, pagerDutyDedupKey } from "./pagerduty";
export { SlackChannel, type SlackBlock, type SlackMessage, slackMessage } from "./slack";
export { SnsChannel } from "./sns";
export * from "./types";
