-- +goose Up
-- What a staff account may do: one row per permission set it holds
-- (portal.PermissionSet). Admins were a role of their own before; they
-- become staff holding the admin set, and the other staff keep what the
-- console let them do (scheduling and reading accounts).
CREATE TABLE staff_permission_sets (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    set_name   TEXT NOT NULL CHECK (set_name IN ('admin', 'scheduler', 'support', 'results_officer', 'credential_officer', 'ce_reviewer')),
    granted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, set_name)
);
CREATE INDEX staff_permission_sets_set ON staff_permission_sets (set_name, user_id);
INSERT INTO staff_permission_sets (user_id, set_name, granted_at)
    SELECT id, 'admin', created_at FROM users WHERE role = 'admin';
INSERT INTO staff_permission_sets (user_id, set_name, granted_at)
    SELECT id, 'scheduler', created_at FROM users WHERE role = 'staff';
INSERT INTO staff_permission_sets (user_id, set_name, granted_at)
    SELECT id, 'support', created_at FROM users WHERE role = 'staff';
UPDATE users SET role = 'staff' WHERE role = 'admin';

-- +goose Down
UPDATE users SET role = 'admin' WHERE id IN (SELECT user_id FROM staff_permission_sets WHERE set_name = 'admin');
DROP TABLE staff_permission_sets;
