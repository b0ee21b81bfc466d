// The shape the inspector page receives (the server's FlowTrace, from rp/flow-trace.ts).
export type { FlowTrace, FlowStep, FlowCheck, FlowField, DecodedToken, Party } from '$lib/server/rp/flow-trace';
