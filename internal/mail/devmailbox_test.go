package mail_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

func TestDevMailboxKeepsMailAndSMS(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		st := testutil.MustOpenStore(t, engine, testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)))
		dev := mail.NewDevMailbox(st)
		log, logs := newLogger()
		mr, err := mail.New(testConfig(""), mustCatalog(t), dev, dev, log)
		if err != nil {
			t.Fatal(err)
		}

		m := adminSetup("es", "Ana")
		m.Attachments = []mail.Attachment{{Filename: "examen.ics", ContentType: "text/calendar", Content: icsContent}}
		if err := mr.HandleJob(ctx, mustJSON(t, m)); err != nil {
			t.Fatal(err)
		}
		sms := mail.SMS{To: "+34600111222", Lang: "en", Template: "test_message"}
		if err := mr.HandleSMSJob(ctx, mustJSON(t, sms)); err != nil {
			t.Fatal(err)
		}

		got, err := st.ListDevMessages(ctx, "ana@example.test", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d mails", len(got))
		}
		e := got[0]
		if e.Channel != "email" || e.Subject != "Su cuenta de administrador en Acme Certification" {
			t.Errorf("mail = %+v", e)
		}
		for _, want := range []string{"Hola, Ana:", setupLink, "[Attachments]", "- examen.ics (text/calendar, "} {
			if !strings.Contains(e.TextBody, want) {
				t.Errorf("text lacks %q:\n%s", want, e.TextBody)
			}
		}
		if !strings.Contains(e.HTMLBody, `<html lang="es"`) || !strings.Contains(e.HTMLBody, "Establecer la contraseña") {
			t.Errorf("HTML = %s", e.HTMLBody)
		}
		// The attachment is kept whole, apart from the text.
		if len(e.Attachments) != 1 || e.Attachments[0].Name != "examen.ics" || !strings.HasPrefix(e.Attachments[0].ContentType, "text/calendar") ||
			string(e.Attachments[0].Content) != string(icsContent) {
			t.Errorf("attachments = %+v", e.Attachments)
		}
		if strings.Contains(e.TextBody, "BEGIN:VCALENDAR") || strings.Contains(e.TextBody, "dev-attachments") {
			t.Errorf("the text part carries the attachment:\n%s", e.TextBody)
		}
		one, err := st.GetDevMessage(ctx, e.ID)
		if err != nil || len(one.Attachments) != 1 || one.TextBody != e.TextBody {
			t.Errorf("FindDevMessage = %+v, %v", one, err)
		}

		got, err = st.ListDevMessages(ctx, "+34600111222", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Channel != "sms" || got[0].Subject != "" || got[0].HTMLBody != "" ||
			got[0].TextBody != "Acme Certification: this is a test message. If you can read it, text message delivery works." {
			t.Fatalf("sms = %+v", got)
		}
		assertNoSecrets(t, logs.String(), "ana@example.test", "+34600111222", "s3cr3t-t0ken-value")
	})
}

func TestHandleSMSJobRefusesBadInput(t *testing.T) {
	st := testutil.MustOpenStore(t, store.SQLite, testutil.NewClock(time.Now()))
	dev := mail.NewDevMailbox(st)
	log, _ := newLogger()
	mr, err := mail.New(testConfig(""), mustCatalog(t), dev, dev, log)
	if err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string]string{
		"malformed":        `{"to":`,
		"not E.164":        `{"to": "600111222", "template": "test_message"}`,
		"unknown template": `{"to": "+34600111222", "template": "nope"}`,
	} {
		if err := mr.HandleSMSJob(context.Background(), json.RawMessage(args)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	got, err := st.ListDevMessages(context.Background(), "", 10)
	if err != nil || len(got) != 0 {
		t.Errorf("stored %d messages, %v", len(got), err)
	}
	noSMS, err := mail.New(testConfig(""), mustCatalog(t), dev, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := noSMS.HandleSMSJob(context.Background(), json.RawMessage(`{"to": "+34600111222", "template": "test_message"}`)); err == nil {
		t.Error("SMS without a provider: no error")
	}
}
