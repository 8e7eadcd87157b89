from django.urls import reverse


def test_home_page_shows_next_event_with_seats_left(client, event):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert event.title in response.content.decode()
    assert "50 places restantes" in response.content.decode()
