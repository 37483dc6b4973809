-- The applicant key: a keyed hash (HMAC-SHA256 under the personal-information
-- key) of the applicant's identity document type and number. It finds an
-- applicant's requests without storing the number in the clear: the
-- per-item fee counts items per applicant per calendar month
-- (国办函〔2020〕109号), and an applicant may ask for a copy of their data
-- (个人信息保护法 Art. 45). Empty when no document number was given.
ALTER TABLE requests ADD COLUMN applicant_key TEXT NOT NULL DEFAULT '';

--bun:split

-- erased_at is when the applicant's personal data of a closed request was
-- erased after the retention period; the statistics stay.
ALTER TABLE requests ADD COLUMN erased_at TIMESTAMP;

--bun:split

-- Partial: requests without a document (and erased ones) are not indexed,
-- so the index never looks like a way to scan a bureau's requests.
CREATE INDEX requests_applicant_idx ON requests (tenant_id, applicant_key, received_on) WHERE applicant_key <> '';

--bun:split

-- A sent letter stays immutable, with one exception: when the applicant's
-- personal data is erased after the retention period, its body is replaced
-- by an erasure notice once (erased_at set); nothing else may change.
ALTER TABLE letters ADD COLUMN erased_at TIMESTAMP;

--bun:split

DROP TRIGGER letters_no_update;

--bun:split

CREATE TRIGGER letters_no_update BEFORE UPDATE ON letters
WHEN NOT (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
    AND NEW.tenant_id = OLD.tenant_id AND NEW.id = OLD.id AND NEW.request_id = OLD.request_id
    AND NEW.kind = OLD.kind AND NEW.doc_no = OLD.doc_no AND NEW.sent_on = OLD.sent_on
    AND NEW.delivery = OLD.delivery AND NEW.created_by = OLD.created_by AND NEW.created_at = OLD.created_at)
BEGIN
    SELECT RAISE(ABORT, 'letters are immutable once sent');
END;
