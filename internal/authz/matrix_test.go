package authz_test

import (
	"os"
	"testing"

	"gongkai/internal/authz"
)

const matrixFile = "../../docs/permissions.md"

func TestPermissionMatrixDocIsCurrent(t *testing.T) {
	t.Parallel()
	want := authz.Matrix()
	if os.Getenv("GONGKAI_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(matrixFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(matrixFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/permissions.md is out of date: run GONGKAI_UPDATE_DOCS=1 go test ./internal/authz/")
	}
}
