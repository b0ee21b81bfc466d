// A Postgres storage adapter for node-oidc-provider (the interface of its example/my_adapter.js):
// every model (Session, Interaction, Grant, AuthorizationCode, RefreshToken, ...) in one table
// keyed by (model, id), the payload as jsonb, with the columns the provider looks models up by
// besides id: grant_id (revokeByGrantId), uid (Session.findByUid), user_code (device flow).
// Written for the benchmark's reference run: a plain, indexed, one-statement-per-call adapter,
// like the Postgres adapters published for it, so the comparison measures the provider.

/** Creates the table (in the run's fresh database) and returns the adapter class bound to `sql`. */
export async function createPostgresAdapter(sql) {
	await sql`
		create table if not exists oidc_model (
			model text not null,
			id text not null,
			payload jsonb not null,
			grant_id text,
			user_code text,
			uid text,
			expires_at timestamptz,
			consumed_at timestamptz,
			primary key (model, id)
		)`;
	await sql`create index if not exists oidc_model_grant_id on oidc_model (grant_id) where grant_id is not null`;
	await sql`create index if not exists oidc_model_uid on oidc_model (model, uid) where uid is not null`;
	await sql`create index if not exists oidc_model_user_code on oidc_model (model, user_code) where user_code is not null`;

	/** What find* answers: the payload, with `consumed` (epoch seconds) once consume() ran. */
	const toPayload = (row) => (row ? { ...row.payload, ...(row.consumed_at ? { consumed: Math.floor(row.consumed_at.getTime() / 1000) } : {}) } : undefined);

	return class PostgresAdapter {
		constructor(model) {
			this.model = model;
		}

		async upsert(id, payload, expiresIn) {
			const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
			await sql`
				insert into oidc_model (model, id, payload, grant_id, user_code, uid, expires_at)
				values (${this.model}, ${id}, ${sql.json(payload)}, ${payload.grantId ?? null}, ${payload.userCode ?? null}, ${payload.uid ?? null}, ${expiresAt})
				on conflict (model, id) do update set
					payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
					uid = excluded.uid, expires_at = excluded.expires_at`;
		}

		async find(id) {
			const [row] = await sql`
				select payload, consumed_at from oidc_model
				where model = ${this.model} and id = ${id} and (expires_at is null or expires_at > now())`;
			return toPayload(row);
		}

		async findByUid(uid) {
			const [row] = await sql`
				select payload, consumed_at from oidc_model
				where model = ${this.model} and uid = ${uid} and (expires_at is null or expires_at > now())`;
			return toPayload(row);
		}

		async findByUserCode(userCode) {
			const [row] = await sql`
				select payload, consumed_at from oidc_model
				where model = ${this.model} and user_code = ${userCode} and (expires_at is null or expires_at > now())`;
			return toPayload(row);
		}

		async consume(id) {
			await sql`update oidc_model set consumed_at = now() where model = ${this.model} and id = ${id}`;
		}

		async destroy(id) {
			await sql`delete from oidc_model where model = ${this.model} and id = ${id}`;
		}

		/** Every token and code of the grant, whatever its model (the provider calls it on reuse and revocation). */
		async revokeByGrantId(grantId) {
			await sql`delete from oidc_model where grant_id = ${grantId}`;
		}
	};
}
