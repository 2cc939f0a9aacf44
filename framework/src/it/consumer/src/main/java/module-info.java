/** A module that uses Weft as an application would. */
module dev.weft.consumer {
    requires dev.weft;
}
