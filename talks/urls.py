from django.urls import path

from . import views

app_name = "talks"

urlpatterns = [
    path("talks/", views.talk_list, name="list"),
    path("talks/propose/", views.talk_propose, name="propose"),
    path("talks/mine/", views.talk_mine, name="mine"),
    path("talks/mine/<int:pk>/edit/", views.talk_edit, name="edit"),
    path("talks/mine/<int:pk>/withdraw/", views.talk_withdraw, name="withdraw"),
    path("talks/mine/<int:pk>/confirm/", views.talk_confirm, name="confirm"),
    path("talks/confirm/<str:token>/", views.talk_confirm_token, name="confirm-token"),
    path(
        "talks/mine/invitations/<int:pk>/accept/",
        views.my_invitation_accept,
        name="my-invitation-accept",
    ),
    path(
        "talks/mine/invitations/<int:pk>/decline/",
        views.my_invitation_decline,
        name="my-invitation-decline",
    ),
    path("talks/invitation/<str:token>/", views.invitation_detail, name="invitation"),
    path(
        "talks/invitation/<str:token>/accept/",
        views.invitation_accept_token,
        name="invitation-accept",
    ),
    path(
        "talks/invitation/<str:token>/decline/",
        views.invitation_decline_token,
        name="invitation-decline",
    ),
    path("talks/speaker-profile/", views.speaker_profile, name="speaker-profile"),
    path("talks/<slug:slug>/", views.talk_detail, name="detail"),
    path("speakers/", views.speaker_list, name="speakers"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker-detail"),
    path("speakers/<slug:slug>/claim/", views.speaker_claim, name="speaker-claim"),
    path("wishlist/", views.wishlist, name="wishlist"),
    path("wishlist/<int:pk>/vote/", views.topic_vote_view, name="topic-vote"),
    path("wishlist/<int:pk>/unvote/", views.topic_unvote_view, name="topic-unvote"),
]
