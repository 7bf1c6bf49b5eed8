package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestIdempotencyKey(t *testing.T) {
	w := newWorld(t, Config{OpenRegistration: true})
	w.populate()
	post := func(path, token, key, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", w.http.URL+"/api/v1"+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("Idempotent-Replayed")
	}
	teams := func() int {
		list, err := w.st.Teams(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	admin := w.tokens["admin"]

	t.Run("the same key returns the first answer and creates nothing new", func(t *testing.T) {
		before := teams()
		s1, b1, _ := post("/teams", admin, "key-1", `{"name":"Emergency Department"}`)
		s2, b2, replayed := post("/teams", admin, "key-1", `{"name":"Emergency Department"}`)
		if s1 != http.StatusCreated || s2 != s1 || b2 != b1 || replayed != "true" {
			t.Errorf("first %d %s, second %d %s (replayed %q)", s1, b1, s2, b2, replayed)
		}
		if teams() != before+1 {
			t.Errorf("teams went from %d to %d", before, teams())
		}
	})
	t.Run("the key with a different body is refused", func(t *testing.T) {
		if status, body, _ := post("/teams", admin, "key-1", `{"name":"Another"}`); status != http.StatusUnprocessableEntity {
			t.Errorf("status = %d %s", status, body)
		}
	})
	t.Run("another caller's same key is their own", func(t *testing.T) {
		status, body, _ := post("/register", "", "key-1", `{"email":"r@example.nhs.uk","name":"R","password":"a long and unusual passphrase","profile":{"profession":"nurse","setting":"acute","years_experience":1,"legacy_familiarity":1}}`)
		if status != http.StatusCreated {
			t.Fatalf("status = %d %s", status, body)
		}
		again, body2, _ := post("/register", "", "key-1", `{"email":"r@example.nhs.uk","name":"R","password":"a long and unusual passphrase","profile":{"profession":"nurse","setting":"acute","years_experience":1,"legacy_familiarity":1}}`)
		if again != http.StatusCreated || body2 != body {
			t.Errorf("replayed registration = %d %s", again, body2)
		}
	})
	t.Run("without a key, a repeat is a new request", func(t *testing.T) {
		if status, _, _ := post("/teams", admin, "", `{"name":"Emergency Department"}`); status != http.StatusConflict {
			t.Errorf("status = %d, want 409 for the duplicate name", status)
		}
	})
}
